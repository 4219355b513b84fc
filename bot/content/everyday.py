"""Words of everyday life (food, pets, sport, weather, travel, films, health, home, family) that say a
question is about something other than AI engineering. They count against a question's coverage by the
content's vocabulary, so one technical-sounding word ("python", "spark", "stream") does not carry
"ball python as a pet" or "when to replace spark plugs"; questions about such data ("dog vs cat image
classifier", "forecast pizza sales") keep enough technical words to be answered.
"""
from __future__ import annotations

EVERYDAY = frozenset(["recipe", "recipes", "cook", "cooking", "cooked", "bake", "baking", "baked", "pizza", "pasta", "bread", "cake", "cakes", "cookie", "cookies", "soup", "salad", "chicken", "beef", "pork", "steak", "egg", "eggs", "cheese", "coffee", "espresso", "tea", "beer", "wine", "cocktail", "dinner", "lunch", "breakfast", "brunch", "restaurant", "restaurants", "taco", "tacos", "burger", "burgers", "sushi", "vegan", "vegetarian", "calories", "snack", "snacks", "chocolate", "banana", "fruit", "fruits", "vegetables", "veggies", "sourdough", "curry", "dessert", "dog", "dogs", "puppy", "puppies", "cat", "cats", "kitten", "kittens", "pet", "pets", "hamster", "parrot", "goldfish", "horse", "horses", "leash", "vet", "football", "soccer", "basketball", "baseball", "nba", "nfl", "fifa", "tennis", "golf", "cricket", "hockey", "marathon", "gym", "workout", "workouts", "pullup", "pullups", "pushups", "yoga", "messi", "ronaldo", "superbowl", "olympics", "playoffs", "quarterback", "weather", "rain", "rainy", "sunny", "snow", "snowing", "sky", "tornado", "hurricane", "umbrella", "vacation", "vacations", "holiday", "holidays", "flight", "flights", "hotel", "hotels", "airport", "passport", "trip", "beach", "tourist", "movie", "movies", "film", "films", "netflix", "song", "songs", "lyrics", "album", "concert", "singer", "anime", "xbox", "ps5", "nintendo", "pokemon", "marvel", "doctor", "sick", "fever", "headache", "sleep", "snoring", "pregnant", "baby", "toddler", "dentist", "vitamins", "hangover", "garden", "gardening", "plants", "furniture", "sofa", "couch", "faucet", "laundry", "wedding", "birthday", "gift", "girlfriend", "boyfriend", "husband", "wife", "mom", "dad", "grandma", "kids", "car", "cars", "tesla", "tire", "tires", "bike", "bicycle", "plugs", "horoscope", "zodiac", "astrology", "tarot", "joke", "jokes", "riddle", "poem"])

# The same domains as descriptions, for the semantic extra: a question closer in meaning to one of these
# than to anything in the content ("rust off a cast iron pan") is about everyday life.
EVERYDAY_DOMAINS = (
    "cooking recipes kitchen food meal dinner baking pan oven sauce restaurant",
    "home repair house garden yard plants trees lawn roof attic plumbing paint furniture cleaning",
    "cars bikes vehicles engine tires oil repair mechanic driving commute parking",
    "sports football soccer basketball game match team score gym workout fitness running",
    "health doctor medicine illness diet weight sleep pain exercise",
    "music guitar piano songs concert band instruments singing",
    "books novels reading literature poetry book club author",
    "travel vacation flights hotel trip camping hiking beach city visit",
    "animals pets dogs cats zoo wildlife birds snakes",
    "family kids children parents holidays christmas birthday wedding gifts toys",
    "shopping clothes fashion buy store sale deals",
    "money personal finance taxes rent mortgage savings bank",
    "weather rain snow sunny forecast temperature",
    "crafts sewing knitting fabric woodworking art painting drawing",
    "history geography politics war countries school homework essay",
)
