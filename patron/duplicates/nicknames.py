"""Short forms of given names, curated by hand: each group is one name's usual forms.

Kept small on purpose: a wrong entry would make two different people look alike. The first
name of each group is the one the others are read as ("bill" is read as "william").
"""

GROUPS = [
    ("william", "bill", "billy", "will", "willy", "liam"),
    ("robert", "bob", "bobby", "rob", "robbie", "bert"),
    ("elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "libby", "elisabeth"),
    ("margaret", "maggie", "meg", "peggy", "marge", "margie"),
    ("richard", "dick", "rick", "ricky", "rich", "richie"),
    ("james", "jim", "jimmy", "jamie"),
    ("john", "jack", "johnny", "jon"),
    ("jonathan", "jonny", "jonty"),
    ("michael", "mike", "mick", "mickey", "mikey"),
    ("thomas", "tom", "tommy"),
    ("edward", "ed", "eddie", "ted", "teddy", "ned"),
    ("charles", "charlie", "chuck", "chas"),
    ("joseph", "joe", "joey"),
    ("daniel", "dan", "danny"),
    ("david", "dave", "davy"),
    ("andrew", "andy", "drew"),
    ("anthony", "tony", "ant"),
    ("christopher", "chris", "kit"),
    ("matthew", "matt", "matty"),
    ("nicholas", "nick", "nicky"),
    ("benjamin", "ben", "benny", "benji"),
    ("samuel", "sam", "sammy"),
    ("alexander", "alex", "sandy", "xander"),
    ("alexandra", "alexa", "lexi"),
    ("stephen", "steve", "steven", "stevie"),
    ("peter", "pete"),
    ("patrick", "pat", "paddy"),
    ("patricia", "patty", "trish", "tricia"),
    ("timothy", "tim", "timmy"),
    ("kenneth", "ken", "kenny"),
    ("gregory", "greg"),
    ("jeffrey", "jeff", "geoffrey", "geoff"),
    ("lawrence", "larry", "laurence"),
    ("nathaniel", "nat", "nate", "nathan"),
    ("frederick", "fred", "freddie", "freddy"),
    ("henry", "harry", "hal", "hank"),
    ("catherine", "cathy", "kate", "katie", "kathy", "katherine", "kathryn", "cate"),
    ("jennifer", "jen", "jenny"),
    ("jessica", "jess", "jessie"),
    ("rebecca", "becky", "becca"),
    ("susan", "sue", "susie", "suzy", "suzanne"),
    ("deborah", "debbie", "deb", "debra"),
    ("victoria", "vicky", "tori"),
    ("christine", "chris", "chrissy", "christina", "tina"),
    ("samantha", "sam", "sammy"),
    ("abigail", "abby", "abbie"),
    ("jacqueline", "jackie"),
    ("dorothy", "dot", "dotty", "dolly"),
    ("barbara", "barb", "barbie"),
    ("josephine", "jo", "josie"),
    ("eleanor", "ellie", "nell", "nora"),
    ("amanda", "mandy"),
    ("pamela", "pam"),
    ("judith", "judy"),
    ("theresa", "terri", "tess", "teresa"),
    ("francis", "frank", "frankie"),
    ("frances", "fran", "fanny"),
    ("gerald", "gerry", "jerry"),
    ("raymond", "ray"),
    ("ronald", "ron", "ronnie"),
    ("donald", "don", "donny"),
    ("douglas", "doug"),
    ("leonard", "len", "lenny", "leo"),
    ("vincent", "vince", "vinny"),
    ("zachary", "zach", "zack"),
    ("jose", "pepe"),
    ("giuseppe", "beppe", "peppe"),
    ("francisco", "paco", "pancho"),
]

# A name that belongs to two groups ("chris", "sam") is read as the first group's name;
# `same_person_names` still matches it against the second through its own set of groups.
CANONICAL: dict[str, str] = {}
GROUPS_OF: dict[str, set[int]] = {}
for index, group in enumerate(GROUPS):
    for name in group:
        CANONICAL.setdefault(name, group[0])
        GROUPS_OF.setdefault(name, set()).add(index)


def canonical(name: str) -> str:
    """The name a short form stands for ("bill" -> "william"); the name itself otherwise."""
    return CANONICAL.get(name, name)


def are_nicknames(a: str, b: str) -> bool:
    """Two different given names that one person may go by ("bob" and "robert")."""
    return a != b and bool(GROUPS_OF.get(a, set()) & GROUPS_OF.get(b, set()))
