"""Street addresses, PO boxes and what follows "I live at" or "my address is"."""

from __future__ import annotations

import re

from knowledge_service.privacy.names import _LETTER, _LIVE_AT, _MAY_BE_CAPITAL, _STOP_WORDS, _UNITS
from knowledge_service.privacy.text import _word_list

_STREET_TYPES = _word_list(
    "street st road rd avenue ave av boulevard blvd crescent cres parade pde highway hwy terrace "
    "tce esplanade esp circuit cct parkway pkwy lane ln drive dr court ct place pl close cl way"
)
# Street types from the Australia Post and USPS lists, other than the ones above: these are
# also common words ("view", "run"), so the street's name and type must be capitalised.
_STREET_TYPES_CAPITALISED = _word_list("""
    access alley alleyway amble anchorage approach arcade artery basin beach bend block
    brace brae branch break bridge broadway brook brooks brow burg burgs bypass byway camp
    canyon cape causeway center centers centre centreway chase circle circles circlet circus
    cliff cliffs club colonnade common concourse copse corner corners corso course courts
    courtyard cove coves creek crest cross crossing crossroad crossway cruiseway cul-de-sac
    curve cutting dale dam dell deviation dip distributor divide drives driveway edge elbow
    end entrance estate estates expressway extension extensions fairway fall falls ferry
    field fields firetrail flat flats follow footway ford fords foreshore forest forge
    forges fork forks formation fort freeway front frontage gap garden gardens gate gates
    gateway glade glen glens grange green greens ground grove groves gully harbor harbors
    harbour haven heights highroad hill hills hollow inlet interchange intersection island
    islands isle junction junctions key keys knoll knolls lake lakes land landing laneway
    lees light lights line link little loaf lock locks lodge lookout loop lower mall manor
    manors meadow meadows meander mew mews mill mills mission motorway mount mountain
    mountains neck nook orchard outlook oval overpass park parklands parks parkways part
    pass passage path pathway piazza pike pine pines plain plains plateau plaza pocket point
    points port ports prairie promenade quad quadrangle quadrant quay quays radial ramble
    ramp ranch range rapid rapids reach reserve rest retreat ride ridge ridges ridgeway ring
    rise river riverway riviera roads roadside roadway ronde rosebowl rotary round route row
    rue run shoal shoals shore shores siding skyway slope sound spring springs spur spurs sq
    square squares stairs station steps strand stravenue stream streets strip subway summit
    tarn thoroughfare throughway tollway top tor towers trace track trafficway trail trailer
    triangle trunkway tunnel turn turnpike underpass union unions upper vale valley valleys
    via viaduct view views village villages villas ville vista wade walk walks walkway wall
    ways well wells wharf wynd
""")
# A street's or a suburb's words, in any script ("Åkerby Street", "7 Ōtaki Road, Wellington")
_NAME_WORD = rf"{_LETTER}(?:{_LETTER}|['\-])*"
_PLACE_WORD = rf"{_MAY_BE_CAPITAL}(?:{_LETTER}|['\-])+"
_UNIT = r"(?:unit|u|flat|apt|apartment|suite|level|lot|shop|studio)\.?\s*\d+[a-z]?\s*[,/]?\s*"
_HOUSE = r"\d{1,5}[a-z]?(?:\s*[/\-]\s*\d{1,5}[a-z]?)?"
# A town (capitalised words), a state (AU's, by its letters or its name, or two capitals) and
# a postcode after an address: "Fitzroy VIC 3065", "Fitzroy, Victoria 3065", "Fitzroy 3065",
# "in Fitzroy 3065", "Springfield, IL 62701", "London [ADDRESS]" (a UK postcode, redacted
# first); or a town alone where the sentence or clause ends ("12 Smith Street Fitzroy."). A
# capitalised word that starts a sentence's next part ("In 2026", "Thanks") is no town.
_STATE = (
    r"(?-i:NSW|VIC|QLD|SA|WA|TAS|NT|ACT|[A-Z]{2}|New\s+South\s+Wales|Victoria|Queensland"
    r"|South\s+Australia|Western\s+Australia|Tasmania|Northern\s+Territory"
    r"|Australian\s+Capital\s+Territory)\b"
)
_NOT_A_TOWN = (
    r"(?!(?-i:In|On|At|And|But|Or|So|The|I|I'm|My|We|Our|From|To|For|Since|Until|Is|Was|Are"
    r"|Please|Thanks|Thank|Cheers|Regards|Why|How|What|When|Where|Who|Can|Could|Would|Will|Do"
    r"|Does|Did|Hi|Hello)\b)"
)
_TOWN = rf"{_NOT_A_TOWN}(?-i:{_PLACE_WORD}(?:,?\s+{_NOT_A_TOWN}{_PLACE_WORD}){{0,2}})"
_POSTCODE = r"(?:\d{4,5}\b|\[ADDRESS\])"
_LOCALITY = (
    rf"(?:,?\s*{_TOWN}\s*,?\s*{_STATE}\s*,?\s*{_POSTCODE}?"
    rf"|,?\s*(?:in\s+)?{_TOWN}\s*,?\s*{_POSTCODE}"
    rf"|,?\s*{_TOWN}(?=\s*(?:[.;!?\n]|,\s|$)))"
)
_STREET = re.compile(
    rf"(?<![\w/.$])(?<!\d[ \-./()])(?:{_UNIT})?{_HOUSE}"
    rf"\s+(?P<words>(?:{_NAME_WORD}\s+){{1,3}}?)"
    rf"(?P<type>right\s+of\s+way|{'|'.join(_STREET_TYPES + _STREET_TYPES_CAPITALISED)})\b"
    r"(?:\s+(?-i:NE|NW|SE|SW|N|S|E|W)\b\.?)?"  # a direction after the type ("Avenue NW")
    r"(?:,?\s*(?:apt|apartment|suite|unit|flat|ste)\.?\s*\d+[a-z]?\b)?"
    rf"{_LOCALITY}?",
    re.IGNORECASE,
)
# After "I live at" or "my address is", a town and its state or postcode typed in lower case
# ("my address is 12 smith street fitzroy vic 3065"): the words a lead-in gives are the
# address's, in any case, so long as none is a word of the sentence (:data:`_STOP_WORDS`).
_AU_STATE_ANY_CASE = (
    r"(?:nsw|vic|qld|sa|wa|tas|nt|act|new\s+south\s+wales|victoria|queensland"
    r"|south\s+australia|western\s+australia|tasmania|northern\s+territory"
    r"|australian\s+capital\s+territory)\b"
)
_TOLD_LOCALITY = re.compile(
    rf",?\s*(?:in\s+)?(?P<words>{_NAME_WORD}(?:,?\s+{_NAME_WORD}){{0,2}}?)\s*,?\s*"
    rf"(?:{_AU_STATE_ANY_CASE}(?:\s*,?\s*\d{{4,5}}\b)?|\d{{4,5}}\b)",
    re.IGNORECASE,
)


def _told_locality_end(text: str, end: int) -> int:
    """Where an address a lead-in gave ends, with a town and its state or postcode after its
    street in any case (:data:`_TOLD_LOCALITY`)."""
    match = _TOLD_LOCALITY.match(text, end)
    if match is None:
        return end
    words = re.split(r"[\s,]+", match.group("words").strip())
    if any(w.lower() in _STOP_WORDS or w.lower() in _UNITS for w in words):
        return end
    return match.end()


# A postal box, a roadside mail bag or a locked bag, with the town, state and postcode after
# it ("PO Box 123, Sydney NSW 2001", "RMB 1234 Bega NSW 2550").
# "RMB" alone is also a currency ("RMB 500"): a mail bag's number needs its town after it.
_PO = r"p\.?\s*o\.?\s*box"  # "PO Box", "P.O. box", "pobox"
_PO_BOX = re.compile(
    rf"\b(?:(?:g\.?\s*)?{_PO}|(?:locked|private)\s+bag)\s+\d+"
    rf"{_LOCALITY}?|\b(?-i:RMB|RSD)\s+\d+{_LOCALITY}",
    re.IGNORECASE,
)
# "I live at", "my address is": what follows, from a house or unit number to the clause's end.
_ADDRESS_LEAD_IN = re.compile(
    r"\b(?:(?:my|our|his|her|their|the)\s+(?:(?:home|postal|street|new|old|billing|supply|"
    r"service|property|mailing|residential)\s+)?address\s+(?:is|was)|address\s*[:=]"
    rf"|{_LIVE_AT})"
    rf"\s*(?P<value>(?:{_UNIT}|{_PO}\s+|\d)[^.?!;\n]*)",
    re.IGNORECASE,
)
# Without a street type, what follows "I live at" is an address only when it starts as one: a
# unit, a PO box, a house number with a slash ("4/27"), or a house number and a capitalised
# word ("12 Wattle, Sydney"); "100 percent solar" and "2 addresses" are not.
_ADDRESS_START = re.compile(
    rf"(?:{_UNIT}|{_PO}\s+|\d{{1,5}}[a-z]?\s*[/\-]\s*\d"
    rf"|\d{{1,5}}[a-z]?,?\s+(?-i:{_MAY_BE_CAPITAL}))",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(
    r"\s+(?:and|but|so|because|why|how|what|when|where|who|can|could|would|will|is|are|am|do"
    r"|does|did|please|i|i'm|im|my|we|our|it|this|that|the|since|for|from|to|in|on|-)\b",
    re.IGNORECASE,
)
