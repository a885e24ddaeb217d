"""What people type and what it must resolve to, shared by the resolver, CLI and HTTP tests."""

from __future__ import annotations

OSU = {"Ohio State", "Oklahoma State", "Oregon State"}
UM = {"Michigan", "Miami", "Minnesota", "Maryland"}

TYPOS = [
    ("michgan", "Michigan"),
    ("Michgan", "Michigan"),
    ("Ohio Stat", "Ohio State"),
    ("Ohoi State", "Ohio State"),
    ("Pen State", "Penn State"),
    ("Tennesse", "Tennessee"),
    ("Alabma", "Alabama"),
    ("Georiga", "Georgia"),
    ("Missisippi State", "Mississippi State"),
    ("Clemsen", "Clemson"),
    ("Nortre Dame", "Notre Dame"),
    ("Oklahoma Sate", "Oklahoma State"),
    ("Wisconson", "Wisconsin"),
    ("Lousiana", "Louisiana"),
    ("Texs A&M", "Texas A&M"),
    ("TEXS A&M", "Texas A&M"),
    ("Nortwestern", "Northwestern"),
    ("Standford", "Stanford"),
    ("San Hose State", "San José State"),
    ("Pittsburg", "Pittsburgh"),
    ("Nebraksa", "Nebraska"),
    ("Flordia", "Florida"),
    ("Oregen", "Oregon"),
    ("Auburm", "Auburn"),
    ("Purdeu", "Purdue"),
    ("Vanderbuilt", "Vanderbilt"),
    ("Syracus", "Syracuse"),
    ("Cincinatti", "Cincinnati"),  # two edits in ten letters
    ("Louisvile", "Louisville"),
    ("Kentuckey", "Kentucky"),
    ("Misouri", "Missouri"),
    ("Arkansa", "Arkansas"),  # not Kansas
    ("Kansass", "Kansas"),  # not Arkansas
    ("Kansas Stat", "Kansas State"),
    ("Texas Stat", "Texas State"),
    ("Texass", "Texas"),
    ("Iowa Stat", "Iowa State"),
    ("Colorodo", "Colorado"),
    ("Minnesotta", "Minnesota"),
    ("Marylnd", "Maryland"),
    ("Virgina", "Virginia"),
    ("Virgina Tech", "Virginia Tech"),
    ("West Virgina", "West Virginia"),
    ("Washingon", "Washington"),
    ("Washington Stae", "Washington State"),
    ("Boise Sate", "Boise State"),
    ("Houstin", "Houston"),
    ("Baylr", "Baylor"),
    ("Rutgres", "Rutgers"),
    ("Ilinois", "Illinois"),
    ("Michigan Stat", "Michigan State"),
    ("South Carolna", "South Carolina"),
    ("Miamy", "Miami"),
    ("Miami (OHH)", "Miami (OH)"),
    ("Tulan", "Tulane"),  # not Tulsa
    ("Appalachain State", "App State"),  # a typo of an alias
    ("Wolverins", "Michigan"),
    ("Buckeye", "Ohio State"),
    ("University of Michgan", "Michigan"),
]

JUNK = ["Ú±°", "%%%", "zzzz", "12345", "banana", "qwerty", "apple", "football", "hello world",
        "xyzzy qwv", "@#$%^", "°±²", "U", "ú", "", "   ", "!!!"]

AMBIGUOUS = [
    ("OSU", OSU),
    ("UM", UM),
    ("Bulldogs", {"Georgia", "Mississippi State", "Fresno State", "Louisiana Tech"}),
    ("UT", {"Texas", "Tennessee"}),
    ("Estern Michigan", {"Eastern Michigan", "Western Michigan"}),
    ("Nouth Dakota", {"North Dakota", "South Dakota"}),
    ("Rkansas", {"Arkansas", "Kansas"}),
    ("Akansas State", {"Arkansas State", "Kansas State"}),
    ("Northaestern", {"Northeastern", "Northwestern"}),
    ("Dukew", {"Duke", "James Madison"}),  # "Duke" and JMU's "Dukes"
    ("Bulldgs", {"Georgia", "Mississippi State", "Fresno State", "Louisiana Tech"}),
    ("Cougers", {"BYU", "Houston", "Washington State"}),
    ("Aggie", {"Texas A&M", "New Mexico State", "Utah State"}),
]

# Names that are a letter or two apart and must each stay themselves.
NEIGHBOURS = [
    ("Iowa", "Ohio"), ("Miami", "Miami (OH)"), ("Kansas", "Kansas State"), ("Kansas", "Arkansas"),
    ("Kansas State", "Arkansas State"), ("Texas", "Texas State"), ("USC", "UCF"),
    ("Army", "Navy"), ("Ohio", "Ohio State"), ("Iowa", "Iowa State"), ("Tulsa", "Tulane"),
    ("Eastern Michigan", "Western Michigan"), ("North Dakota", "South Dakota"),
    ("Northeastern", "Northwestern"), ("Duke", "James Madison"), ("Utah", "Utah Tech"),
]
