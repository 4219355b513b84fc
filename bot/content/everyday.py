"""Words of everyday life (food, pets, sport, weather, travel, films, health, home, family) that say a
question is about something other than AI engineering. They count against a question's coverage by the
content's vocabulary, so one technical-sounding word ("python", "spark", "stream") does not carry
"ball python as a pet" or "when to replace spark plugs"; questions about such data ("dog vs cat image
classifier", "forecast pizza sales") keep enough technical words to be answered.
"""
from __future__ import annotations

EVERYDAY = frozenset("""
recipe recipes cook cooking cooked bake baking baked pizza pasta bread cake cakes cookie cookies soup salad
chicken beef pork steak egg eggs cheese coffee espresso tea beer wine cocktail dinner lunch breakfast brunch
restaurant restaurants taco tacos burger burgers sushi vegan vegetarian calories snack snacks chocolate banana
fruit fruits vegetables veggies sourdough curry dessert
dog dogs puppy puppies cat cats kitten kittens pet pets hamster parrot goldfish horse horses leash vet
football soccer basketball baseball nba nfl fifa tennis golf cricket hockey marathon gym workout workouts
pullup pullups pushups yoga messi ronaldo superbowl olympics playoffs quarterback
weather rain rainy sunny snow snowing sky tornado hurricane umbrella
vacation vacations holiday holidays flight flights hotel hotels airport passport trip beach tourist
movie movies film films netflix song songs lyrics album concert singer anime xbox ps5 nintendo pokemon marvel
doctor sick fever headache sleep snoring pregnant baby toddler dentist vitamins hangover
garden gardening plants furniture sofa couch faucet laundry wedding birthday gift girlfriend boyfriend husband
wife mom dad grandma kids
car cars tesla tire tires bike bicycle plugs
horoscope zodiac astrology tarot joke jokes riddle poem
""".split())
