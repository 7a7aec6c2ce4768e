"""Word lists the corpus generator mixes with the seed texts.

The seed archive only knows UmeBrå's vocabulary; a whole municipality's minutes
talk about schools, building permits and snow clearing too, and that wider
vocabulary (and its Zipf-like skew) is what gives the index realistic posting
lists. Everything here is plain data so the generator stays deterministic.
"""

from __future__ import annotations

# Compound heads: indefinite singular, definite singular, indefinite plural,
# definite plural, gender ("en"/"ett"). Listed roughly by how common they are.
HEADS: list[tuple[str, str, str, str, str]] = [
    tuple(line.split())  # type: ignore[misc]
    for line in """
    arbete arbetet arbeten arbetena ett
    plan planen planer planerna en
    insats insatsen insatser insatserna en
    fråga frågan frågor frågorna en
    ärende ärendet ärenden ärendena ett
    uppföljning uppföljningen uppföljningar uppföljningarna en
    grupp gruppen grupper grupperna en
    rapport rapporten rapporter rapporterna en
    projekt projektet projekt projekten ett
    verksamhet verksamheten verksamheter verksamheterna en
    åtgärd åtgärden åtgärder åtgärderna en
    satsning satsningen satsningar satsningarna en
    utredning utredningen utredningar utredningarna en
    strategi strategin strategier strategierna en
    program programmet program programmen ett
    analys analysen analyser analyserna en
    avtal avtalet avtal avtalen ett
    bidrag bidraget bidrag bidragen ett
    ansökan ansökan ansökningar ansökningarna en
    utbildning utbildningen utbildningar utbildningarna en
    kontroll kontrollen kontroller kontrollerna en
    dialog dialogen dialoger dialogerna en
    mätning mätningen mätningar mätningarna en
    kampanj kampanjen kampanjer kampanjerna en
    riktlinje riktlinjen riktlinjer riktlinjerna en
    beslut beslutet beslut besluten ett
    nätverk nätverket nätverk nätverken ett
    samordnare samordnaren samordnare samordnarna en
    lägesbild lägesbilden lägesbilder lägesbilderna en
    team teamet team teamen ett
    vandring vandringen vandringar vandringarna en
    lokal lokalen lokaler lokalerna en
    policy policyn policyer policyerna en
    """.strip().splitlines()
]

# Committees: name, heading word, relative meeting frequency, compound prefixes
# ("word:combining form", or one word when both are the same), own words.
COMMITTEES: list[tuple[str, str, float, str, str]] = [
    (
        "UmeBrå",
        "Anteckningar",
        1.5,
        "trygghet:trygghets brott:brotts narkotika drog ungdom:ungdoms heder:heders"
        " polis medborgare:medborgar samverkan:samverkans kamera klotter"
        " langning:langnings alkohol våld:vålds rekrytering:rekryterings krog",
        "grannsamverkan nattvandrare fältgruppen medborgarlöfte orosanmälan"
        " skadegörelse lägesbild trygghetsmätning",
    ),
    (
        "Lokala brottsförebyggande rådet Holmsund",
        "Anteckningar",
        0.6,
        "trygghet:trygghets brott:brotts ungdom:ungdoms polis klotter"
        " samverkan:samverkans förening:förenings",
        "nattvandring grannsamverkan skadegörelse belysning busshållplats",
    ),
    (
        "Kommunstyrelsen",
        "Protokoll",
        2.0,
        "budget investering:investerings personal digitalisering:digitaliserings"
        " upphandling:upphandlings ekonomi lokal tillväxt näringsliv:näringslivs"
        " kommunikation:kommunikations arbetsmiljö klimat hållbarhet:hållbarhets"
        " jämställdhet:jämställdhets",
        "delårsrapport årsredovisning internkontroll motion medborgarförslag"
        " revisionsrapport bolagsordning",
    ),
    (
        "Kommunstyrelsens arbetsutskott",
        "Protokoll",
        1.5,
        "budget investering:investerings personal upphandling:upphandlings"
        " ekonomi lokal markanvisning:markanvisnings",
        "delegationsbeslut markanvisning exploateringsavtal borgen",
    ),
    (
        "Individ- och familjenämnden",
        "Protokoll",
        1.2,
        "missbruk:missbruks beroende försörjningsstöd:försörjningsstöds"
        " familjehem:familjehems barnavård:barnavårds öppenvård:öppenvårds"
        " boendestöd:boendestöds socialjour:socialjours placering:placerings"
        " våld:vålds",
        "orosanmälan utredningstid hemlöshet vräkning bistånd LVU LVM",
    ),
    (
        "Äldrenämnden",
        "Protokoll",
        1.0,
        "hemtjänst äldreomsorg:äldreomsorgs demens korttid:korttids"
        " trygghetslarm vård omsorg:omsorgs rehabilitering:rehabiliterings"
        " bemanning:bemannings matdistribution:matdistributions",
        "biståndsbedömning fallprevention undersköterska nattpatrull boendeplats",
    ),
    (
        "För- och grundskolenämnden",
        "Protokoll",
        1.0,
        "skola:skol förskola:förskole elevhälsa:elevhälso fritidshem:fritidshems"
        " lärare:lärar betyg:betygs närvaro skolskjuts läromedel:läromedels"
        " undervisning:undervisnings",
        "skolval kränkningar studiero frånvaro modersmål lågstadiet högstadiet",
    ),
    (
        "Gymnasie- och vuxenutbildningsnämnden",
        "Protokoll",
        0.9,
        "gymnasium:gymnasie vuxenutbildning:vuxenutbildnings yrke:yrkes"
        " lärling:lärlings antagning:antagnings studie examen:examens",
        "introduktionsprogram avhopp yrkesvux sfi studieavbrott",
    ),
    (
        "Fritidsnämnden",
        "Protokoll",
        0.8,
        "fritid:fritids idrott:idrotts förening:förenings simhall:simhalls"
        " friluftsliv:frilufts ishall:ishalls motion:motions lov"
        " ungdomsgård:ungdomsgårds spontanidrott:spontanidrotts",
        "konstgräsplan elljusspår badplats föreningsbidrag lovaktiviteter",
    ),
    (
        "Kulturnämnden",
        "Protokoll",
        0.8,
        "kultur bibliotek:biblioteks konst musik museum:musei scen"
        " evenemang:evenemangs festival arkiv",
        "kulturhuset Väven stadsbiblioteket gatukonst kulturstipendium",
    ),
    (
        "Byggnadsnämnden",
        "Protokoll",
        1.5,
        "bygglov:bygglovs detaljplan:detaljplane strandskydd:strandskydds"
        " rivning:rivnings fastighet:fastighets bostad:bostads"
        " nybyggnad:nybyggnads översiktsplan:översiktsplane lantmäteri",
        "planbesked startbesked slutbesked tillbyggnad fasadändring attefallshus"
        " marklov",
    ),
    (
        "Tekniska nämnden",
        "Protokoll",
        1.0,
        "gata:gatu trafik park snöröjning:snöröjnings belysning:belysnings cykel"
        " parkering:parkerings vatten avfall:avfalls underhåll:underhålls"
        " kollektivtrafik",
        "cykelbana gångtunnel sandning halkbekämpning gatubelysning hastighetsgräns",
    ),
    (
        "Miljö- och hälsoskyddsnämnden",
        "Protokoll",
        1.0,
        "miljö livsmedel:livsmedels buller luft tillsyn:tillsyns avlopp:avlopps"
        " radon kemikalie smittskydd:smittskydds hälsoskydd:hälsoskydds",
        "miljöbalken föreläggande sanktionsavgift luftkvalitet partiklar dagvatten",
    ),
    (
        "Överförmyndarnämnden",
        "Protokoll",
        0.5,
        "ställföreträdare:ställföreträdar godmanskap:godmanskaps"
        " förvaltarskap:förvaltarskaps arvode:arvodes tillsyn:tillsyns",
        "årsräkning förteckning ensamkommande huvudman",
    ),
    (
        "Valnämnden",
        "Protokoll",
        0.3,
        "val röstmottagning:röstmottagnings förtidsröstning:förtidsröstnings"
        " vallokal:vallokals valdistrikt:valdistrikts",
        "valsedlar rösträkning röstlängd",
    ),
    (
        "Funktionshinderrådet",
        "Anteckningar",
        0.5,
        "tillgänglighet:tillgänglighets färdtjänst hjälpmedel:hjälpmedels"
        " bostadsanpassning:bostadsanpassnings",
        "ledsagning rullstol hörslinga ramp",
    ),
    (
        "Kommunala pensionärsrådet",
        "Anteckningar",
        0.5,
        "äldreomsorg:äldreomsorgs hemtjänst färdtjänst trygghet:trygghets vård",
        "pensionärsorganisationerna seniorkort fallprevention",
    ),
]

FIRST_NAMES = """
Anna Maria Karin Eva Lena Kerstin Sara Emma Ingrid Malin Linda Johanna Elin Ida
Annika Helena Cecilia Åsa Sofia Jenny Frida Hanna Moa Ulrika Petra Therese Lina
Erik Lars Karl Anders Johan Per Nils Mikael Jan Hans Peter Fredrik Daniel Stefan
Magnus Mattias Jonas Björn Andreas Tomas Henrik Ola Niklas Robert Göran Ari Seth
Mariam Ahmed Ali Fatima Amir Leila Omar Nadia Jussi Aino
""".split()

LAST_NAMES = """
Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson
Gustafsson Pettersson Jonsson Jansson Hansson Bengtsson Lindberg Lindqvist
Lundgren Berglund Lindström Nordström Sjölander Wahlström Holmberg Öberg
Åström Bäckström Sundström Lundqvist Hedlund Forsberg Sandberg Nyström Marklund
Granström Burman Lidström Grahn Fjällström Åberg Ågren Rystedt Vigren Elgh
Isaksson Falck Riedl Brännström Ravry Norlin Svanström Hildingsson Gradin
Lagervall Lindegren Kjellsson Caviedes Leinonen Salem Nordlund Wikström
""".split()

ROLES = """
förvaltningschef verksamhetschef enhetschef utvecklingsledare handläggare
samordnare controller kommunjurist planarkitekt miljöinspektör skoldirektör
socialsekreterare projektledare lokalpolisområdeschef kommunpolis ekonom
""".split()

PLACES = """
Ålidhem Holmsund Hörnefors Sävar Teg Haga Mariehem Tomtebo Ersboda Carlshem
Marieberg Obbola Röbäck Tavelsjö Västerslätt Centrum Berghem Nydalahöjd Grubbe
Backen Mariedal Sandåkern Ostbacka Böleäng Gimonäs
""".split()

ROOMS = [
    "Kommunstyrelsens sammanträdesrum",
    "KS sammanträdesrum",
    "Stadshuset, Skolgatan 31A",
    "Rådhuset, sal 2",
    "Väven, rum Stora Konferensen",
    "Förvaltningshuset, Umeälven",
    "Holmsunds folkets hus",
]
REMOTE_ROOMS = ["Videokonferens", "Teams", "Fysiskt möte, KS sammanträdesrum"]

PARTNERS = [
    "Region Västerbotten",
    "Polisen",
    "Länsstyrelsen",
    "Umeå universitet",
    "civilsamhället",
    "föreningslivet",
    "AB Bostaden",
    "Räddningstjänsten",
    "näringslivet",
    "socialtjänsten",
    "fritidsgårdarna",
    "Trafikverket",
    "Arbetsförmedlingen",
    "Försäkringskassan",
]

AGREEMENT_PARTNERS = [
    "Polismyndigheten",
    "Region Västerbotten",
    "Räddningstjänsten",
    "AB Bostaden",
    "Umeå universitet",
    "Länsstyrelsen Västerbotten",
    "Västerbottens idrottsförbund",
]

ORGS = [
    "Nämnden",
    "Förvaltningen",
    "Styrgruppen",
    "Arbetsgruppen",
    "Polisen",
    "Socialtjänsten",
    "Kansliet",
    "Utskottet",
    "Verksamheten",
    "Ordföranden",
]

VERBS = [
    "beslutar att godkänna",
    "föreslår",
    "redovisar",
    "informerar om",
    "har påbörjat",
    "lyfter fram",
    "ställer sig bakom",
    "återkommer med",
    "har sett över",
    "efterfrågar",
    "prioriterar",
    "har genomfört",
    "följer upp",
    "diskuterar",
]

DECISION_VERBS = ["godkänna", "anta", "fastställa", "avslå", "bevilja", "tillstyrka"]

TARGETS = [
    "barn och unga",
    "äldre",
    "föräldrar",
    "näringsidkare",
    "medborgarna",
    "personalen",
    "eleverna",
    "nyanlända",
]

ADJECTIVES = [
    ("ny", "nytt"),
    ("reviderad", "reviderat"),
    ("utökad", "utökat"),
    ("långsiktig", "långsiktigt"),
    ("gemensam", "gemensamt"),
    ("lokal", "lokalt"),
    ("fördjupad", "fördjupat"),
]

MONTHS = """januari februari mars april maj juni juli augusti september oktober
november december""".split()

STOPWORDS = set(
    """
    och att det som en ett på av för med till den har de inte om är i vi kan ska
    man var eller så från under samt efter mellan även nu där hur vad när alla
    detta dessa andra också mot bland annat genom mer vid inom utan olika sig
    sitt sina hos denna kommer blir finns fram upp får gör varit vilket vilka
    skall skulle kunna måste bör dem deras sin sitt våra vårt vår era ert
    """.split()
)
