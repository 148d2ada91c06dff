"""English building blocks for past projects (archive 2023–2025)."""
from __future__ import annotations

TOPICS = {
    "chatbot": {
        "titles": ["A virtual librarian in the messenger", "A question-answering bot for readers",
                   "Round-the-clock reference service with AI"],
        "problem": "Front-desk staff spent up to two hours a day on the same questions about opening hours, "
                   "renewals and whether a book was on the shelf, and evening questions waited until morning.",
        "methods": [("Librarians wrote a knowledge base of {n1} questions and answers, and a multilingual model "
                    "matches each reader's question to it by meaning. Availability is checked directly in the "
                    "library management system."),
                    ("The bot runs in the messenger most people in {town} already use. When it is not sure, it "
                    "hands the question to the librarian on duty and tells the reader so.")],
        "result": "In {m} months the bot answered {n2} questions, almost half of them outside opening hours; "
                  "{p1} % of users rated the answers as helpful.",
    },
    "recommend": {
        "titles": ["Personal book recommendations for readers", "What to read next: a library recommender",
                   "Recommendations from the shared collection for village branches"],
        "problem": "Readers borrow the same authors for years while a large part of the collection that could "
                   "interest them stays on the shelves.",
        "methods": [("Recommendations combine similarity between annotations, computed by a language model, with "
                    "anonymised loan history, and each suggestion comes with a short explanation."),
                    ("Librarians see the suggestions at the circulation desk and decide what to offer; loan "
                    "history is used only with the reader's consent.")],
        "result": "Loans of titles never borrowed before rose by {p1} %, and {n2} readers took at least one "
                  "recommended book.",
    },
    "catalog": {
        "titles": ["Automatic subject heading suggestions", ("Helping cataloguers with classification and "
                   "keywords"), "Cleaning and enriching catalogue records"],
        "problem": "The online catalogue had thousands of records without subject headings or abstracts, so "
                   "readers could not find books by topic.",
        "methods": [("A model proposes headings and keywords from the title, contents and abstract, drawing on "
                    "similar records already checked by cataloguers; the cataloguer always decides."),
                    ("Duplicate records and misspelled author names are detected automatically and sent to "
                    "cataloguers as a review list.")],
        "result": "In {m} months {n2} records were enriched; records without headings fell from {p1} % to "
                  "{p2} %.",
    },
    "ocr": {
        "titles": ["Digitising local history publications with text recognition", ("Full-text search in a "
                   "local newspaper archive"), "An online collection of rare books"],
        "problem": "Rare books and bound volumes of local newspapers exist in single copies, and every "
                   "consultation risks damaging the paper.",
        "methods": [("Scanned pages go through text recognition, with a layout model that separates columns and "
                    "headlines; volunteers proofread the difficult passages."),
                    ("A language model corrects typical recognition errors, but every correction is marked and "
                    "the original scan is always shown next to the text.")],
        "result": "{n2} pages were digitised; full-text search is open to readers, and requests for the "
                  "originals dropped by {p1} %.",
    },
    "access": {
        "titles": ["Audiobooks for blind readers", "An accessible library: speech synthesis and large print",
                   "Audio editions of the local press"],
        "problem": "Readers with visual impairments had almost no access to new books or the local press, "
                   "especially in Kazakh.",
        "methods": [("Texts are voiced with speech synthesis, and every recording is checked by a librarian and "
                    "a blind volunteer; pronunciation errors go into a shared dictionary."),
                    ("Audio editions are available online, by phone and on memory cards, and the website was "
                    "tested with screen readers.")],
        "result": "{n1} audiobooks were produced; the number of readers with special needs grew by {p1} %.",
    },
    "analytics": {
        "titles": ["Demand analytics for collection development", ("Data instead of guesswork: loan analytics "
                   "across a library network"), "Forecasting demand for new titles"],
        "problem": "Purchasing decisions were made from experience, and some purchased titles stayed on the "
                   "shelves for years without a single loan.",
        "methods": [("We analysed several years of anonymised loans and refusals and built a simple demand "
                    "forecast that accounts for seasons and school curricula."),
                    ("Catalogue searches that found nothing are grouped by meaning, and the report shows which "
                    "topics are missing from the collection.")],
        "result": "The share of titles with no loans in a year fell by {pp} percentage points, and {n2} copies "
                  "were moved between branches.",
    },
    "medialit": {
        "titles": ["A media literacy school at the library", "Spot the fake: workshops for teenagers",
                   "Fact-checking in the age of generative AI"],
        "problem": "Young readers get their news from short videos and messengers and struggle to tell "
                   "fakes, including AI-generated ones, from reliable information.",
        "methods": [("Hands-on workshops use real examples: fake news, edited photos and invented chatbot "
                    "answers, which participants check against the library's collection."),
                    ("Participants ask a chatbot about their own town and compare the answers with local history "
                    "books.")],
        "result": "{n1} people took part; correctly identified fakes rose from {p2} % to {p1} %.",
    },
    "children": {
        "titles": ["An interactive book-choosing corner for children", "Family reading with a digital helper",
                   "Tales of our land: children make their own books"],
        "problem": "Children choose books by the cover and often do not finish them, and parents do not know "
                   "what to suggest.",
        "methods": [("A child picks a hero and a mood from pictures, and the system suggests age-appropriate "
                    "books from the collection; annotations were simplified by a language model and checked "
                    "by librarians."),
                    ("Librarians retell local tales with children, and AI tools help with narration and "
                    "layout; each book states what was made with AI.")],
        "result": "Loans of children's books rose by {p1} %, and {n1} children took part in the sessions.",
    },
}

OPENINGS = [
    "The project was carried out in {year} by {library}.",
    "Our library ({library}) serves the people of {town} and nearby villages.",
    "The team of {library} submitted this project to the {year} contest.",
    "The idea grew out of conversations with readers in {town} in {year}.",
]

PARTNERS = [
    "Our partners were the local college and a student volunteer club.",
    "School teachers and the education department of the akimat helped with the work.",
    "Two staff members who completed an online machine learning course built the technical part.",
    "The regional culture department supported the project, and a local business donated equipment.",
    "We consulted colleagues from the regional library and university lecturers.",
]

CHALLENGES = [
    "The main difficulty was the quality of the source data: many records had to be fixed by hand.",
    "The model works less well on Kazakh texts than on Russian ones, so we check them more carefully.",
    "Not all staff accepted the new tools at once, and we ran several training sessions.",
    "Slow internet in villages forced us to build a lightweight version of the service.",
    "We noticed that the model is sometimes confidently wrong, so a person checks every result.",
    "Readers' personal data are never sent to outside services: everything runs on the library's server.",
]

NEXT = [
    "Next, we plan to share the approach with the district libraries of the region.",
    "The next step is a practical guide for colleagues.",
    "We want to add full Kazakh-language support and voice input.",
    "We plan to train twenty more librarians and publish the project materials openly.",
    "Later the project will be linked to the regional library's digital library and website.",
]

FEEDBACK = [
    ("One reader wrote in the comments book that for the first time in years she found what she needed "
    "without queuing."),
    "Staff say they now spend the time saved on consultations and workshops with readers.",
    ("A reader survey showed that most people want to keep using the service but ask for more materials in "
    "Kazakh."),
    "Neighbouring districts became interested, and we have already run two seminars for their librarians.",
    "The local newspaper and TV channel covered the project, and new readers signed up afterwards.",
    ("We kept a project diary, and the notes about failures turned out to be as useful to colleagues as the "
    "report on successes."),
]
