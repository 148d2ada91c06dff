"""English-language entries (fictional people and projects; real regions)."""
from __future__ import annotations

from .model import Entry, Form

SMAGULOVA = Entry(
    key="en01", surname="Smagulova", name="Aliya", lang="en", fmt="pdf",
    title="Ask a Librarian, Any Hour: an AI-assisted reference desk for research data questions",
    form=Form(33, "Eurasian National University, Scientific Library", "university", "Астана қ.",
              "aliya.smagulova@example.org, +7 717 200 63 04", "2026-10-16T13:35:00+05:00"),
    body="""
# Background
Our university library answers about 6,000 reference questions a year. A growing share of them are
not about books at all: doctoral students ask where to deposit a dataset, how to write a data
management plan for a grant, which licence to choose, or how to cite software. Only two librarians
have the training to answer these questions well, and both work normal office hours.

# What we built
We built a reference assistant that drafts answers to research data questions. It searches a curated
collection of about 400 documents: university regulations, funder requirements of the Ministry of
Science and Higher Education, repository guides, and answers our librarians have written in the past.
The assistant answers in Kazakh, Russian or English, quotes the passages it relied on, and links to
them. When a question falls outside the collection, it says so and books a consultation instead of
guessing.

# Human in the loop
During office hours every draft answer is reviewed by a librarian before it is sent. At night the
assistant answers directly, but the answer is clearly labelled as automatic and a librarian reviews
it the next morning. Corrections feed back into the collection, so the same mistake is not repeated.

# Results
In the spring semester of 2026 the service handled 1,420 questions. Librarians accepted 71 % of the
drafts with minor edits and rewrote 9 %. The median time to a first answer fell from 19 hours to 7
minutes. Most importantly, the two data librarians now spend their time on consultations that need
a person: planning data management for large grants and teaching workshops.

# Risks and limits
The assistant sometimes gives answers that are correct in general but wrong for a particular funder.
We therefore show the date of each source and remove outdated documents every quarter. Questions
are stored without names and deleted after 60 days.

# Next steps
We plan to share the curated collection with other university libraries in Astana and to add a
module that checks data management plans against funder templates.
""")

BAIMUKHANOV = Entry(
    key="en02", surname="Baimukhanov", name="Arman", lang="en", fmt="docx",
    title="Richer metadata for theses: LLM-assisted subject headings and abstracts in three languages",
    file_name="project_final_v2.docx",
    form=Form(29, "NU Library, Nazarbayev University", "university", "Астана қ.",
              "arman.baimukhanov@example.org, +7 717 300 22 75", "2026-11-07T11:11:00+05:00", "team",
              "Baimukhanov A.; Seitkali D."),
    table=(("Metric", "Baseline", "Assisted"),
           ("Records with subject headings", "38 %", "96 %"),
           ("Records with abstracts in kk/ru/en", "12 %", "88 %"),
           ("Cataloguer minutes per record", "14", "6")),
    body="""
# The problem
Our institutional repository holds more than 4,000 master's and doctoral theses. Many records were
created quickly at submission time: they have a title and an author but no subject headings, and
the abstract exists in only one language. As a result, theses are hard to find, and students often
duplicate research that was already done at the university.

# Approach
We use a large language model running on university servers to propose subject headings from the
Library of Congress vocabulary and keywords in Kazakh, Russian and English. The model reads the title,
the table of contents and the abstract, and suggests headings with a short justification. A second
step drafts abstracts in the two missing languages. Every suggestion goes to a cataloguer, who accepts,
edits or rejects it in a simple review screen.

# Quality control
We evaluated the suggestions on 300 theses that had been catalogued by hand. The correct main heading
was among the top three suggestions in 83 % of cases. Translated abstracts were checked by bilingual
staff; 14 % needed substantive corrections, mostly in technical terminology. We keep a list of terms
the model gets wrong and include it in the instructions.

# Results
Over six months, 2,640 records were enriched. Repository searches that ended with a download rose by
36 %, and search in Kazakh now finds theses originally described only in English.

# Sustainability and openness
The review screen and the prompt templates are released under an open licence. We recorded how much
staff time the project saves and how much computing it uses, so other libraries can estimate the
cost before they start.
""")

TOKHTAROVA = Entry(
    key="en03", surname="Tokhtarova", name="Zarina", lang="en", fmt="pptx",
    title="Library for Every Hand: captions, sign-language videos and easy-read guides for deaf readers",
    form=Form(31, "Almaty Regional Universal Scientific Library, Qonaev", "public_mcib", "Алматы облысы",
              "z.tokhtarova@example.org, +7 727 300 51 19", "2026-10-26T15:00:00+05:00"),
    body="""
# Why this project
About 1,100 deaf and hard-of-hearing people live in our region. They rarely come to the library,
because events have no sign-language interpretation and our videos have no captions.

# Automatic captions
We caption every library video and recorded event. A speech recognition model produces a draft in
Kazakh or Russian, and a librarian corrects names and terms before publishing.

# Sign-language videos
Together with the regional society of the deaf we recorded 60 short videos in Kazakh sign language
that explain library services. A language model helps us write simple scripts for them.

Each video was filmed with a deaf presenter from the society, and each script was checked by two
sign-language interpreters before filming.

# Easy-read guides
Written guides are rewritten in plain language with a language model and checked by deaf volunteers,
because written Kazakh and Russian are second languages for many of them.

# Results
In one year, 74 deaf readers registered, compared with 9 before. Captioned videos are watched twice
as long on average as uncaptioned ones, and hearing readers use the captions too.

# What we learned
Automatic tools save time, but trust comes from people. Deaf volunteers on our team made the difference.

# Next steps
We will train staff from district libraries and publish our caption style guide.
""")

DZHAKSYBEKOV = Entry(
    key="en04", surname="Dzhaksybekov", name="Ruslan", lang="en", fmt="txt",
    title="Privacy-preserving reader analytics for a community reading space",
    form=Form(27, "Readers Hub, private coworking library (LLP)", "private", "Шымкент қ.",
              "r.dzhaksybekov@example.org, +7 725 300 47 36", "2026-10-20T19:30:00+05:00"),
    body="""
# Context
Readers Hub is a community reading space in Shymkent with a collection of 5,000 books, a coworking
area and evening events. We want to understand what our members read and which events bring them in,
but we do not want to build profiles of individual people.

# Method
We replaced member identifiers with random tokens that change every month, and we only analyse
aggregated counts. We apply differential privacy when publishing statistics, so that no single
member's borrowing can be inferred from a report. A small language model groups free-text event
feedback into themes, such as requests for more Kazakh-language fiction or quiet hours for students.

# Findings
Over eight months we found that attendance at evening events predicts borrowing in the following
week, and that members who attend book clubs borrow three times more non-fiction. Feedback showed a
strong demand for Kazakh-language business books, which we have since added to the collection.

# Tools
Everything runs on a single office computer with open-source software. We publish our monthly
dashboard on the wall of the reading room, so members can see what we measure and how.

# Limitations
Our space is small, so some statistics are noisy after privacy protection. We also rely on members
leaving feedback, which mostly comes from the most active readers.

# Plans
We would like to share the toolkit with public libraries in the city and to compare results with
their reading data, if they agree to the same privacy rules.
""")

OSPANOVA = Entry(
    key="en05", surname="Ospanova", name="Karina", lang="en", fmt="pdf",
    title="Reading Quest: an AI story companion that turns library books into adventure games for children",
    form=Form(22, "Library of Kyzylorda Higher Pedagogical College", "college", "Қызылорда облысы",
              "k.ospanova@example.org, +7 724 200 19 63", "2026-11-14T21:20:00+05:00"),
    body="""
# The idea
Children in the primary classes where our students do their teaching practice say that reading is
boring compared with games. We decided to make reading part of a game rather than compete with games.

# How Reading Quest works
A child chooses a book from the library and reads a chapter. Then the story companion, a friendly
character on a tablet, asks questions about the chapter and offers a small quest: draw the hero's
house, guess what happens next, or retell the chapter to a friend. The companion never reveals the
ending; the answer is in the book.

# The role of AI
Future teachers at our college write the quests for each book with the help of a language model,
which suggests questions at three difficulty levels. Students check every question against the text.
The tablet application works offline and does not collect children's names or voices.

# Languages
The quests exist in Kazakh and Russian, and the companion can switch language at any moment, which
helps children in bilingual families and classes.

# Results
In a pilot with four classes in two village schools, 96 children took part for ten weeks. Children
read on average 5.4 books each during the pilot compared with 2.1 in the same period a year earlier.
Teachers observed better retelling skills, especially among children who used to avoid reading aloud.

# What comes next
We want to build a shared bank of quests for the books most common in rural libraries and train
librarians to write quests themselves. The bank will be free for schools and public libraries.
""")

ENTRIES = [SMAGULOVA, BAIMUKHANOV, TOKHTAROVA, DZHAKSYBEKOV, OSPANOVA]
