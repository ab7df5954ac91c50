from patron.workspaces.roles import Role


def test_the_menu_offers_update_customers_to_managers_only(client, member):
    link = 'href="/marketing/updates/">Update customers</a>'
    client.force_login(member(Role.MANAGER).user)
    assert link in client.get("/").content.decode()
    client.force_login(member(Role.SALES).user)
    assert link not in client.get("/").content.decode()
