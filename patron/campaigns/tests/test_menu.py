def test_marketing_menu_leads_to_activities_and_on(admin_client):
    assert 'href="/marketing/activities/">Marketing</a>' in admin_client.get("/").content.decode()
    page = admin_client.get("/marketing/activities/").content.decode()
    for label in ("Campaigns", "Telemarkets", "Customer lists"):
        assert f">{label}</a>" in page
