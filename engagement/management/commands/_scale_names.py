"""Names and phrases for seed_scale (a module, not a command: its name starts with _)."""

FIRST = (
    "Aaliyah Adam Aiden Alex Alice Amelia Anna Archie Arjun Aria Ava Ben Bella Caleb Chloe "
    "Daniel Dev Eden Eli Ella Emil Emma Ethan Eva Ezra Finn Freya Grace Hana Harper Harry Hugo "
    "Ibrahim Imogen Isaac Isla Jack Jade Jonah Kai Layla Leo Liam Lily Lucas Luna Maya Mia Milo "
    "Mohammed Nadia Noah Nora Oliver Omar Oscar Poppy Priya Rafael Riya Rosa Ruby Sam Sara Sofia "
    "Theo Thomas Yusuf Zara Zoe"
).split()
LAST = (
    "Ahmed Ali Baker Bennett Brown Campbell Chen Clarke Cooper Davies Edwards Evans Fernandes "
    "Fischer Garcia Green Hall Harris Hughes Hussain Jackson James Johnson Jones Khan Kowalski "
    "Lee Lewis Martin Mensah Moore Morgan Murphy Nguyen Nowak O'Brien Okafor Patel Phillips Price "
    "Rahman Reyes Roberts Robinson Rossi Scott Shah Silva Singh Smith Taylor Thomas Thompson "
    "Turner Walker Ward White Williams Wilson Wright Young"
).split()
ADULT_FIRST = (
    "Aisha Andrew Angela Carlos Catherine Chris David Deborah Elena Fatima Gareth Hannah Helen "
    "Ian Jamal Joanna John Karen Kevin Laura Marcus Maria Mark Michelle Nikhil Olga Paul Rachel "
    "Rebecca Ruth Sanjay Sarah Simon Sophie Stephen Tariq Victoria Wei Yasmin"
).split()
LIMITED_REASONS = [
    "Grandparent does school runs; the parents asked for attendance only.",
    "Step-parent: the parents agreed attendance and safety information only.",
    "Parenting plan: information about appointments only.",
]
HOPES = [
    "That mornings are calmer and school drop-off goes smoothly.",
    "That she can tell us what she needs with words.",
    "More confidence with friends at school.",
    "Sleeping through the night and fewer meltdowns.",
    "",
]
AVAILABILITY = ["Weekday mornings", "After 4pm", "Fridays only", "Evenings by email", ""]
