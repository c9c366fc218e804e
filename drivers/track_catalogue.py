"""The circuits the GR Cup races at: public facts (name, location, length, turns, direction) and a
line of description of ours. ``refresh_cache`` creates a track it finds in the timing from here; a
track not in the catalogue is created under its timing id alone, for the curators to complete.
"""

from dataclasses import dataclass

from drivers.models import Track

METRES_PER_MILE = 1609.344
CW, CCW = Track.Direction.CLOCKWISE.value, Track.Direction.COUNTERCLOCKWISE.value


@dataclass(frozen=True)
class TrackFacts:
    id: str  # as the timing exports name the track (barber_r1_..., Barberrd1Qualifying)
    name: str
    location: str
    length_miles: float
    direction: str
    turns: int
    description: str

    @property
    def length_m(self) -> int:
        return round(self.length_miles * METRES_PER_MILE)

    def track(self) -> Track:
        """An unsaved Track row of these facts."""
        return Track(
            id=self.id,
            name=self.name,
            location=self.location,
            length_miles=self.length_miles,
            length_m=self.length_m,
            direction=self.direction,
            description=self.description,
        )


CATALOGUE = {
    facts.id: facts
    for facts in (
        TrackFacts(
            id="sebring",
            name="Sebring International Raceway",
            location="Sebring, Florida",
            length_miles=3.74,
            direction=CW,
            turns=17,
            description=(
                "Old airfield concrete and asphalt: bumps punish a car that is not settled and wear tires fast."
            ),
        ),
        TrackFacts(
            id="sonoma",
            name="Sonoma Raceway",
            location="Sonoma, California",
            length_miles=2.52,
            direction=CW,
            turns=12,
            description="Hilly and tight, with blind crests; the hairpins make room for late-braking passes.",
        ),
        TrackFacts(
            id="cota",
            name="Circuit of the Americas",
            location="Austin, Texas",
            length_miles=3.426,
            direction=CCW,
            turns=20,
            description="Steep climb to turn 1, fast esses, a long back straight and a slow stadium section.",
        ),
        TrackFacts(
            id="roadamerica",
            name="Road America",
            location="Elkhart Lake, Wisconsin",
            length_miles=4.048,
            direction=CW,
            turns=14,
            description="Four miles of long straights and heavy braking zones; tires fade over a long lap.",
        ),
        TrackFacts(
            id="vir",
            name="Virginia International Raceway",
            location="Alton, Virginia",
            length_miles=3.27,
            direction=CW,
            turns=17,
            description="Flowing and fast through the uphill esses; rhythm matters more than any one corner.",
        ),
        TrackFacts(
            id="barber",
            name="Barber Motorsports Park",
            location="Leeds, Alabama",
            length_miles=2.38,
            direction=CW,
            turns=17,
            description="Technical and narrow, with elevation changes; overtaking is hard, so qualifying counts.",
        ),
        TrackFacts(
            id="indianapolis",
            name="Indianapolis Motor Speedway (road course)",
            location="Speedway, Indiana",
            length_miles=2.439,
            direction=CW,
            turns=14,
            description="The infield road course with the oval's front straight: a long flat-out run into turn 1.",
        ),
        TrackFacts(
            id="roadatlanta",
            name="Michelin Raceway Road Atlanta",
            location="Braselton, Georgia",
            length_miles=2.54,
            direction=CW,
            turns=12,
            description="Fast and blind over its hills; the esses and the downhill final turn decide a lap.",
        ),
    )
}


def track_for(track_id: str) -> tuple[Track, bool]:
    """An unsaved Track row for a timing id, and whether the catalogue knew it (else only the id is
    known: the name is the id, for a curator to complete)."""
    facts = CATALOGUE.get(track_id)
    if facts is not None:
        return facts.track(), True
    return Track(id=track_id, name=track_id), False
