"""What synthetic people are made of: names and nicknames, addresses, phone area codes, email
domains, and the products they buy.

Only real values live here; the junk and the typos that sources add are in `noise`. A pool's
order is part of the output: `random.choice` picks by position, so reordering or extending a
pool changes the data set of every seed.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FEMALE_FIRST_NAMES = _words(
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty "
    "Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah "
    "Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Anna Brenda Pamela Emma Nicole "
    "Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane "
    "Olivia Julie Joyce Victoria Ann Kelly Christina Lauren Joan Evelyn Judith Megan Andrea "
    "Cheryl Hannah Jacqueline Martha Gloria Teresa Sara Madison Frances Kathryn Janice Jean "
    "Abigail Sophia Grace Chloe Zoe Ava Mia Isabella Lucia Sofia Camila Priya Mei Aisha Fatima Yuki"
)
MALE_FIRST_NAMES = _words(
    "James Robert John Michael David William Richard Joseph Thomas Charles Christopher Daniel "
    "Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy "
    "Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin "
    "Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry "
    "Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Walter Ethan Jeremy Harold "
    "Keith Christian Roger Noah Gerald Carl Terry Sean Austin Arthur Lawrence Jesse Dylan Bryan "
    "Joe Jordan Billy Bruce Albert Willie Gabriel Logan Alan Juan Wayne Roy Ralph Randy Eugene "
    "Vincent Russell Elijah Louis Bobby Philip Johnny Liam Mateo Luis Carlos Wei Hiroshi Omar Raj"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
    "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell "
    "Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson "
    "Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera "
    "Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez "
    "McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns "
    "Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon O'Brien"
)
NICKNAMES = {
    name: tuple(nicks.split(","))
    for name, _, nicks in (
        entry.partition(":")
        for entry in _words(
            "Robert:Bob,Rob,Bobby William:Bill,Will,Billy Richard:Rick,Dick,Rich James:Jim,Jimmy "
            "Michael:Mike,Mikey Joseph:Joe,Joey Thomas:Tom,Tommy Christopher:Chris "
            "Daniel:Dan,Danny Matthew:Matt Anthony:Tony Steven:Steve Andrew:Andy,Drew "
            "Kenneth:Ken,Kenny Edward:Ed,Eddie,Ted Nicholas:Nick Jonathan:Jon Benjamin:Ben "
            "Samuel:Sam Alexander:Alex Elizabeth:Liz,Beth,Betty,Eliza Jennifer:Jen,Jenny "
            "Patricia:Pat,Patty,Trish Margaret:Maggie,Peggy,Meg Katherine:Kate,Katie,Kathy "
            "Catherine:Cathy,Cat Rebecca:Becky Deborah:Deb,Debbie Susan:Sue,Susie "
            "Victoria:Vicky,Tori Samantha:Sam Abigail:Abby Jacqueline:Jackie Christina:Tina,Chris "
            "Kimberly:Kim"
        )
    )
}
"""Informal forms of a first name, as a person gives it at a shop counter or a newsletter form."""
STREET_NAMES = _words(
    "Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Walnut Sunset Lincoln Jackson "
    "Highland Church Spring Ridge Mill River Forest Willow Chestnut Franklin Meadow Adams Union "
    "Jefferson Cherry Madison Valley Center Prospect Broad Grove Locust Summit Sycamore Dogwood"
)
STREET_SUFFIXES = (
    ("Street", "St"),
    ("Avenue", "Ave"),
    ("Road", "Rd"),
    ("Drive", "Dr"),
    ("Lane", "Ln"),
)
"""Street suffixes, written out and abbreviated."""
CITIES = tuple(
    tuple(entry.replace("_", " ").split("/"))
    for entry in _words(
        "New_York/NY/100 Brooklyn/NY/112 Los_Angeles/CA/900 San_Francisco/CA/941 "
        "San_Diego/CA/921 Chicago/IL/606 Houston/TX/770 Austin/TX/787 Dallas/TX/752 "
        "Phoenix/AZ/850 Philadelphia/PA/191 Seattle/WA/981 Portland/OR/972 Denver/CO/802 "
        "Boston/MA/021 Atlanta/GA/303 Miami/FL/331 Orlando/FL/328 Minneapolis/MN/554 "
        "Detroit/MI/482 Nashville/TN/372 Charlotte/NC/282 Columbus/OH/432 Salt_Lake_City/UT/841"
    )
)
"""(city, state, first three digits of its ZIP codes)"""
AREA_CODES = _words(
    "201 202 206 212 213 214 215 216 303 305 310 312 313 314 317 323 347 404 407 408 410 "
    "412 415 425 469 503 512 602 612 614 615 617 619 626 646 650 702 704 713 714 718 720 "
    "732 773 786 801 813 818 832 858 904 916 917 919 925 949 954 971 972 978"
)
PERSONAL_DOMAINS = (
    ("gmail.com",) * 45
    + ("yahoo.com",) * 12
    + ("outlook.com",) * 9
    + ("hotmail.com",) * 8
    + ("icloud.com",) * 10
    + ("aol.com", "aol.com", "comcast.net", "comcast.net", "protonmail.com", "me.com", "msn.com")
)
"""Weighted by how common each provider is: `random.choice` picks gmail.com 45 times as often
as me.com."""
WORK_DOMAINS = _words(
    "northwindtraders.com contoso.com fabrikam.com globex.com initech.com hooli.com "
    "umbrellacorp.com wayneenterprises.com starkindustries.com acmelabs.io"
)
PRODUCTS = tuple(f"SKU-{n:05d}" for n in range(1, 400, 7))
