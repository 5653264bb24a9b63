"""Species and breeds shipped with VetPass (loaded by a data migration).

Care summaries are short, general guidance shown to owners of that species; they are not
veterinary advice for a particular animal.
"""

SPECIES = [
    (
        "Dog",
        "dog",
        "companion",
        "Vaccinate yearly against leptospirosis and every 1–3 years against distemper, hepatitis "
        "and parvovirus as your vet advises. Worm and treat for fleas regularly, keep teeth clean, "
        "and weigh monthly: most dogs are healthiest lean.",
        [
            (
                "Labrador Retriever",
                "Prone to weight gain and joint problems; measure food and keep active.",
            ),
            (
                "German Shepherd",
                "Watch for hip and elbow dysplasia; needs daily mental and physical work.",
            ),
            (
                "French Bulldog",
                "Short-nosed: avoid heat and hard exercise; watch breathing and skin folds.",
            ),
            ("Cocker Spaniel", "Check and dry the ears often; regular grooming."),
            ("Border Collie", "Very active working breed; needs a job and long daily exercise."),
            ("Staffordshire Bull Terrier", "Sturdy and affectionate; prone to skin allergies."),
            ("Dachshund", "Protect the back: avoid jumping and keep weight down."),
            ("Golden Retriever", "Brush weekly; watch weight and joints."),
            ("Jack Russell Terrier", "Energetic; needs secure fencing and dental care."),
            ("Crossbreed", "Care as for the breeds in the mix; your vet can help."),
        ],
    ),
    (
        "Cat",
        "cat",
        "companion",
        "Vaccinate against cat flu and enteritis, and against leukaemia for outdoor cats. Neuter "
        "from four months, microchip, worm and treat for fleas regularly, and give fresh water "
        "daily — many cats drink too little.",
        [
            ("Domestic Shorthair", "Hardy; keep weight in check, especially if indoor."),
            ("British Shorthair", "Prone to obesity and heart disease (HCM); regular check-ups."),
            ("Maine Coon", "Large breed; screen for heart disease and hip dysplasia."),
            ("Siamese", "Vocal and social; watch for dental disease."),
            ("Persian", "Daily grooming; keep eyes clean; short nose can affect breathing."),
            ("Ragdoll", "Gentle indoor cat; screen for heart disease."),
            ("Bengal", "Very active; needs play and climbing space."),
        ],
    ),
    (
        "Rabbit",
        "rabbit",
        "exotic",
        "Vaccinate yearly against myxomatosis and both strains of RHD. Feed mostly hay, keep in "
        "pairs, check teeth and bottoms daily in warm weather (flystrike).",
        [
            ("Netherland Dwarf", "Prone to dental problems; hay-rich diet."),
            ("Lop", "Check ears and teeth regularly."),
            ("Rex", "Soft feet: provide soft flooring."),
        ],
    ),
    (
        "Horse",
        "horse",
        "equine",
        "Vaccinate against equine influenza and tetanus; plan worming by faecal egg counts; "
        "teeth checked yearly and feet every 6–8 weeks. Keep the equine passport with the horse.",
        [
            ("Thoroughbred", "Sensitive; may need extra feed and rugging in winter."),
            ("Welsh Pony", "Prone to laminitis on rich grass; manage grazing."),
            ("Cob", "Good doer: watch weight and laminitis risk."),
            ("Arabian", "Hardy and spirited; regular dental care."),
        ],
    ),
    (
        "Cattle",
        "cattle",
        "farm",
        "Follow your herd health plan: BVD, IBR and leptospirosis vaccination as advised, TB "
        "testing as required, regular mobility and body-condition scoring, and record every "
        "medicine used with its withdrawal period.",
        [
            ("Holstein Friesian", "High-yielding dairy breed; watch for mastitis and lameness."),
            ("Aberdeen Angus", "Hardy beef breed; easy calving."),
            ("Hereford", "Docile beef breed; watch for eye cancer in unpigmented eyes."),
            ("Limousin", "Muscular beef breed."),
            ("Jersey", "Dairy breed with rich milk; prone to milk fever."),
        ],
    ),
    (
        "Sheep",
        "sheep",
        "farm",
        "Vaccinate against clostridial diseases and pasteurellosis; manage worms by testing, not "
        "by routine dosing; check feet and body condition before tupping and lambing.",
        [
            ("Texel", "Meat breed; watch for worm resistance."),
            ("Suffolk", "Meat breed; good mothers."),
            ("North Country Mule", "Crossbred ewe; prolific."),
            ("Welsh Mountain", "Hardy hill breed."),
        ],
    ),
    (
        "Pig",
        "pig",
        "farm",
        "Vaccinate as your herd plan advises (erysipelas, parvovirus); give shelter from heat and "
        "sun, clean water, and keep movement records.",
        [
            ("Large White", "Commercial breed; sunburns easily."),
            ("Gloucestershire Old Spots", "Traditional outdoor breed."),
            ("Kunekune", "Small grazing pig; watch weight."),
        ],
    ),
    (
        "Goat",
        "goat",
        "farm",
        "Vaccinate against clostridial diseases; trim feet regularly; worm by faecal "
        "testing; goats need shelter from rain.",
        [
            ("Saanen", "Dairy breed; high yield."),
            ("Pygmy", "Small; prone to obesity."),
            ("Boer", "Meat breed."),
        ],
    ),
    (
        "Chicken",
        "chicken",
        "farm",
        "Register flocks of 50 or more birds; keep housing clean and dry, treat for red mite, and "
        "follow bird-flu housing orders.",
        [
            ("Hybrid layer", "Lays well for 2–3 years; watch for egg peritonitis."),
            ("Orpington", "Docile heavy breed."),
        ],
    ),
    (
        "Guinea pig",
        "guinea-pig",
        "exotic",
        "Give vitamin C daily in fresh vegetables; hay always available; keep in pairs.",
        [],
    ),
]


def load_species(Species, Breed) -> None:  # noqa: N803 (model classes, from a migration too)
    """Idempotent: used by the data migration and by tests that flush the database."""
    for name, slug, group, care, breeds in SPECIES:
        species, _ = Species.objects.update_or_create(
            slug=slug, defaults={"name": name, "group": group, "care_summary": care}
        )
        for breed_name, breed_care in breeds:
            Breed.objects.update_or_create(
                species=species, name=breed_name, defaults={"care_summary": breed_care}
            )
