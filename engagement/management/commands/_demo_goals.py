"""Realistic goals for the demo practice, with their five Goal Attainment Scaling levels."""

GOALS = {
    "communication": {
        "title": "Ask for help with words instead of crying",
        "child_words": "I say 'help please'",
        "why_it_matters": "Mornings are hard when we can't tell what is wrong.",
        "measurement": "Times a day the child asks for help with words, counted by parents "
        "over three mornings.",
        "baseline": "Almost never: cries or pulls an adult's hand.",
        "levels": [
            "Cries or pulls an adult's hand every time",
            "Uses words once a day with prompting",
            "Uses words most mornings with one prompt",
            "Uses words most mornings without a prompt",
            "Uses words without prompting, at home and at nursery",
        ],
    },
    "emotional_regulation": {
        "title": "Calm down within ten minutes after a big feeling",
        "child_words": "Use my calm-down corner",
        "why_it_matters": "Meltdowns after school take the whole evening.",
        "measurement": "Minutes from the start of a meltdown to calm, noted by parents.",
        "baseline": "About 40 minutes, most school days.",
        "levels": [
            "More than 40 minutes",
            "20 to 40 minutes",
            "About 10 minutes, using one strategy",
            "Under 10 minutes, choosing a strategy alone",
            "Notices the feeling early and uses a strategy before a meltdown",
        ],
    },
    "daily_living": {
        "title": "Get dressed for school independently",
        "child_words": "I can do my buttons",
        "why_it_matters": "We are late every morning and it ends in tears.",
        "measurement": "Steps of dressing done alone (of 8), on school mornings.",
        "baseline": "2 of 8 steps alone.",
        "levels": [
            "0 to 1 steps alone",
            "2 to 3 steps alone",
            "5 steps alone, with a picture checklist",
            "7 steps alone, with the checklist",
            "All 8 steps alone, without the checklist",
        ],
    },
    "social": {
        "title": "Join a game with other children at break",
        "child_words": "Play tag with Sam and Ali",
        "why_it_matters": "She says nobody plays with her and doesn't want to go to school.",
        "measurement": "Break times a week joining a game, reported by the teaching assistant.",
        "baseline": "None: stays by the wall.",
        "levels": [
            "Stays alone every break",
            "Watches a game nearby once a week",
            "Joins a game twice a week with adult support",
            "Joins a game three times a week without support",
            "Starts a game with others",
        ],
    },
    "motor": {
        "title": "Write his name legibly",
        "child_words": "Write my name on my drawings",
        "why_it_matters": "He gets upset when he can't label his work like the others.",
        "measurement": "Letters of his name formed legibly (of 5).",
        "baseline": "1 letter.",
        "levels": [
            "No letters legible",
            "1 to 2 letters legible",
            "All letters legible with a model to copy",
            "All letters legible from memory",
            "Name legible on lined paper, in class",
        ],
    },
    "behaviour": {
        "title": "Stay at the table for the whole family meal",
        "child_words": "Sit with everyone for dinner",
        "why_it_matters": "We want to eat together as a family again.",
        "measurement": "Minutes at the table at dinner, five evenings a week.",
        "baseline": "About 3 minutes.",
        "levels": [
            "Under 3 minutes",
            "3 to 7 minutes",
            "10 minutes with a visual timer",
            "15 minutes with a visual timer",
            "The whole meal without a timer",
        ],
    },
}
