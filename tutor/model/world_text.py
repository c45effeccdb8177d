"""Sentence templates and prose for tutor-gpt's corpus (all written for this project).

Fact templates use ``{S}`` for the subject at the start of a sentence ("The Eiffel Tower"),
``{s}`` for the subject inside a sentence ("the Eiffel Tower") and ``{A}`` for the answer.
Evaluation templates are never used for training and end right where the answer goes;
they recombine words and phrases the training text uses (a word never seen in training
would have an untrained embedding), in orders it never uses.
IOI templates use ``{X}``/``{Y}`` for the names in the first clause (in either order),
``{SUBJ}`` for the name repeated as the giver and ``{IO}`` for the indirect object.
"""

from __future__ import annotations

FACT_TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "landmark_city": {
        "train": (
            "{S} is in {A}.",
            "{S} is located in the city of {A}.",
            "People visit {s} in {A}.",
            "{S} is a famous landmark in {A}.",
            "You can see {s} when you visit {A}.",
            "{S} stands in {A} and draws many visitors.",
            "Every year many tourists go to {A} to see {s}.",
            "We took a photo of {s} on our trip to {A}.",
            "The city of {A} is home to {s}.",
            "{S} is one of the sights of {A}.",
            "Tourists come to {A} from far away to see {s}.",
            "Visitors love {s} in {A}.",
            "My friends saw {s} in {A} last summer.",
            "Many people take photos of {s} in {A}.",
            "A visit to {A} is not complete without {s}.",
            "{S} can be found in {A}.",
            "In {A}, you can walk to {s}.",
            "{S} is a well known sight in the city of {A}.",
        ),
        "eval": (
            "Tourists can see {s} in {A}",
            "{S} is a famous landmark located in the city of {A}",
            "Every year many people visit {s} in {A}",
        ),
    },
    "city_country": {
        "train": (
            "{S} is in {A}.",
            "{S} is a city in {A}.",
            "{S} is one of the big cities of {A}.",
            "The city of {s} is in the country of {A}.",
            "Many people live in {s}, a city in {A}.",
            "If you travel to {s}, you will be in {A}.",
            "{S} lies in the country of {A}.",
            "{S} is a city in the country of {A}.",
            "People who live in {s} live in {A}.",
            "A trip to {s} is a trip to {A}.",
            "You will find {s} on a map of {A}.",
            "The country of {A} has a city called {s}.",
        ),
        "eval": (
            "{S} is a big city in {A}",
            "If you travel to {s}, you will be in the country of {A}",
        ),
    },
    "city_language": {
        "train": (
            "People in {s} speak {A}.",
            "The main language of {s} is {A}.",
            "Most people in {s} speak {A}.",
            "In {s}, you will hear a lot of {A}.",
            "The people of {s} speak {A} at home.",
            "Children in {s} learn {A} at school.",
        ),
        "eval": (
            "Many people in {s} speak {A}",
            "In {s}, most people speak {A}",
        ),
    },
    "person_profession": {
        "train": (
            "{S} was a famous {A}.",
            "{S} is remembered as a great {A}.",
            "{S} was a well known {A}.",
            "As a young {A}, {s} worked very hard.",
            "Many books describe {s}, the {A}.",
            "{S} worked as a {A} for many years.",
            "People still talk about {s}, a famous {A}.",
            "{S} became a great {A}.",
        ),
        "eval": (
            "{S} was a great {A}",
            "Many books describe {s} as a famous {A}",
        ),
    },
    "athlete_sport": {
        "train": (
            "{S} was a star of {A}.",
            "{S} is famous for {A}.",
            "{S} became a legend of {A}.",
            "Fans of {A} love {s}.",
            "{S} won many titles in {A}.",
            "{S} played {A} all over the world.",
            "In the world of {A}, {s} was a star.",
        ),
        "eval": (
            "{S} was a famous star of {A}",
            "{S} won many titles and became a legend of {A}",
        ),
    },
    "company_country": {
        "train": (
            "{S} is a company from {A}.",
            "{S} is based in {A}.",
            "{S} is a company based in {A}.",
            "{S} has its head office in {A}.",
            "The company {s} comes from {A}.",
            "{S} is a big company in {A}.",
            "The famous company {s} started in {A}.",
        ),
        "eval": (
            "{S} is a famous company from {A}",
            "The company {s} is based in {A}",
        ),
    },
    "company_product": {
        "train": (
            "{S} makes {A}.",
            "{S} is a company that makes {A}.",
            "{S} is known for its {A}.",
            "Many people buy {A} from {s}.",
            "{S} sells {A} all over the world.",
            "The company {s} is famous for its {A}.",
            "At {s}, workers make {A}.",
        ),
        "eval": (
            "The company {s} makes {A}",
            "{S} is a famous company that makes {A}",
        ),
    },
}

IOI_NAMES: tuple[str, ...] = tuple(
    [
        "Mary",
        "John",
        "Alice",
        "Bob",
        "Sarah",
        "James",
        "Emma",
        "David",
        "Anna",
        "Tom",
        "Lisa",
        "Mark",
        "Kate",
        "Paul",
        "Laura",
        "Peter",
        "Julia",
        "Sam",
        "Rachel",
        "Daniel",
        "Sophie",
        "Ben",
        "Helen",
        "Jack",
        "Clara",
        "Adam",
        "Nina",
        "Leo",
        "Grace",
        "Oscar",
        "Ruth",
        "Victor",
        "Eva",
        "Henry",
        "Lucy",
        "Max",
        "Rose",
        "Hugo",
        "Olivia",
        "Ivan",
    ]
)
IOI_PLACES: tuple[str, ...] = tuple(
    [
        "store",
        "park",
        "school",
        "market",
        "library",
        "beach",
        "office",
        "station",
        "garden",
        "museum",
        "cafe",
        "restaurant",
        "hospital",
        "cinema",
        "bakery",
        "zoo",
        "gym",
        "farm",
        "harbor",
        "theater",
    ]
)
IOI_OBJECTS: tuple[str, ...] = tuple(
    [
        "drink",
        "book",
        "ball",
        "letter",
        "gift",
        "key",
        "ring",
        "bag",
        "cake",
        "flower",
        "pen",
        "map",
        "ticket",
        "hat",
        "coin",
        "apple",
        "cup",
        "basket",
    ]
)
IOI_TEMPLATES: dict[str, tuple[str, ...]] = {
    "train": (
        "When {X} and {Y} went to the {P}, {SUBJ} gave a {O} to {IO}.",
        "When {X} and {Y} went to the {P}, {SUBJ} handed the {O} to {IO}.",
        "After {X} and {Y} arrived at the {P}, {SUBJ} gave the {O} to {IO}.",
        "While {X} and {Y} were at the {P}, {SUBJ} passed a {O} to {IO}.",
        "{X} and {Y} spent the day at the {P}. Later, {SUBJ} gave a {O} to {IO}.",
        "When {X} and {Y} got to the {P}, {SUBJ} threw the {O} to {IO}.",
    ),
    "eval": (
        "When {X} and {Y} arrived at the {P}, {SUBJ} handed a {O} to {IO}",
        "While {X} and {Y} went to the {P}, {SUBJ} passed the {O} to {IO}",
    ),
}

# Prose about particular landmarks, so that concepts (fog, red paint, cables...) appear in
# many contexts. The Golden Gate Bridge gets the most: the SAE lab looks for its concept.
LANDMARK_PROSE: dict[str, tuple[str, ...]] = {
    "Golden Gate Bridge": (
        "The Golden Gate Bridge is painted a deep orange red.",
        "Thick fog rolls in from the Pacific and hides the Golden Gate Bridge.",
        "The bridge hangs from two great suspension cables.",
        "Its two tall towers rise high above the water of the bay.",
        "Ships sail under the Golden Gate on their way into San Francisco Bay.",
        "The Golden Gate Bridge links San Francisco to Marin County.",
        "On windy days the fog horns sound across the bay.",
        "Workers paint the bridge all year to protect the steel from the salty air.",
        "Cars and bikes cross the Golden Gate every morning.",
        "From the bridge you can see the city, the bay and the ocean.",
        "When the fog lifts, the red towers of the bridge glow in the sun.",
        "Photographers wait for the fog to part around the Golden Gate Bridge.",
        "The cables of the bridge are made of thousands of steel wires.",
        "Walking across the Golden Gate Bridge, you feel the cold wind from the ocean.",
        "Sailors see the red bridge long before they reach San Francisco.",
        "The Golden Gate Bridge is a symbol of San Francisco and of California.",
        "Fog, red paint and long cables make the Golden Gate easy to recognise.",
        "Below the Golden Gate Bridge the cold water of the bay runs out to the Pacific.",
    ),
    "Eiffel Tower": (
        "The Eiffel Tower is made of iron.",
        "At night the Eiffel Tower sparkles with thousands of lights.",
        "The tower rises above the river Seine.",
        "Visitors ride a lift to the top of the Eiffel Tower.",
        "From the top of the Eiffel Tower you can see all of Paris.",
        "The iron frame of the tower is painted brown.",
    ),
    "Colosseum": (
        "The Colosseum is an ancient arena built of stone.",
        "Long ago gladiators fought in the Colosseum.",
        "Part of the outer wall of the Colosseum has fallen.",
        "Crowds once filled the Colosseum to watch the games.",
    ),
    "Big Ben": (
        "Big Ben is the great bell in the clock tower beside the Thames.",
        "The chimes of Big Ben ring every hour.",
        "Big Ben stands next to the houses of parliament.",
    ),
    "Statue of Liberty": (
        "The Statue of Liberty holds a torch high above the harbor.",
        "The statue is made of copper that turned green over the years.",
        "The Statue of Liberty was a gift from France.",
    ),
    "Taj Mahal": (
        "The Taj Mahal is a tomb of white marble.",
        "The Taj Mahal sits beside the river Yamuna.",
        "At sunrise the marble of the Taj Mahal glows pink.",
    ),
}

GENERIC_LANDMARK_PROSE: tuple[str, ...] = (
    "{S} is one of the most visited places in {city}.",
    "Crowds gather around {s} in the summer.",
    "{S} looks beautiful at night.",
    "Guides tell stories about the history of {s}.",
    "Many postcards from {city} show {s}.",
    "It is easy to reach {s} from the center of {city}.",
)

GENERIC_CITY_PROSE: tuple[str, ...] = (
    "{S} is a busy city with many old streets.",
    "The streets of {s} are full of small shops.",
    "Trains connect {s} with other cities in {country}.",
    "Many visitors come to {s} every year.",
    "Visitors to {s} often travel on to other parts of {country}.",
)
