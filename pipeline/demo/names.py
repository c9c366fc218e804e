"""Parts of fictional driver names: every demo driver is a first name paired with a surname."""

# fmt: off
FIRST_NAMES = (
    "Aaron", "Adele", "Alana", "Ansel", "Arlo", "Beatrix", "Bennett", "Bram", "Calla", "Callum",
    "Cassius", "Cora", "Dalia", "Dashiell", "Delphine", "Emeric", "Esme", "Ezra", "Fenna", "Florian",
    "Gideon", "Greta", "Hale", "Hazel", "Idris", "Ines", "Ivo", "Jolene", "Jonah", "Juno",
    "Kasimir", "Keira", "Lachlan", "Leona", "Linus", "Lorcan", "Mabel", "Marius", "Mira", "Nico",
    "Noor", "Oren", "Orla", "Otto", "Perrin", "Phoebe", "Quinn", "Rafferty", "Reya", "Rowan",
    "Sabine", "Silas", "Soren", "Talia", "Tobin", "Ulla", "Vesna", "Wren", "Xavi", "Yara",
)

SURNAMES = (
    "Abernathy", "Achterberg", "Albescu", "Ashgrove", "Bellweather", "Birkholz", "Blackwood", "Brennagh",
    "Castellane", "Corvalan", "Dantry", "Delacombe", "Eastlake", "Ellingham", "Falkner", "Fairholm",
    "Garroway", "Greyhaven", "Halloran", "Hartigan", "Holmquist", "Ingleby", "Jarrowby", "Kestrel",
    "Kilbride", "Larkspur", "Lindqvist", "Marchetti", "Merriwether", "Montclair", "Northcott", "Oakenfold",
    "Okonkwo", "Pellegrin", "Penhallow", "Quillfeather", "Radcliffe", "Ravensworth", "Rosenkranz",
    "Saltmarsh", "Santangelo", "Sheringham", "Stormont", "Tallis", "Thistlewood", "Trevanion", "Underhill",
    "Vantongeren", "Varga", "Wakefield", "Westerhout", "Whitlock", "Wolcott", "Yardley", "Zamora",
    "Zellweger", "Brightwater", "Coldfield", "Dunmore", "Everhart",
)

NATIONALITIES = ("USA", "USA", "USA", "USA", "Canada", "Mexico", "United Kingdom", "Australia", "Brazil", "Japan")
# fmt: on
