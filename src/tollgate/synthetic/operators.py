"""Economic operators: who ships, who imports, who files — and who cannot be trusted.

Parties are where risk analysis starts (DM-5): an AEO importer with a clean history is a
different proposition from a small newcomer, and a handful of known bad actors account for a
large share of fraud. So every operator has an EORI in its country's real format, a plausible
name and address in that country's style, an AEO flag, a size (which drives its share of
volume), a compliance history and a bad-actor flag. Names are invented from common words and
surnames; none is meant to be a real company.

Each operator's party element is serialised to JSON once, when the pool is built, and reused
as an :class:`orjson.Fragment`: the generator emits a party in every filing and must not pay
for its serialisation again each time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from tollgate.reference.codes import EU_MEMBER_STATES


def _fragment(value: dict[str, Any]) -> orjson.Fragment:
    """Pre-serialised JSON, copied to its exact size.

    ``orjson.dumps`` returns bytes that keep their whole working buffer (about 4 kB); tens
    of thousands of kept parties would otherwise hold hundreds of megabytes.
    """
    return orjson.Fragment(bytes(memoryview(orjson.dumps(value))))


@dataclass(frozen=True, slots=True)
class Operator:
    """An economic operator (or a private person, for low-value consignments)."""

    role: str
    name: str
    street: str
    city: str
    postcode: str
    country: str
    eori: str | None
    code: str
    aeo: bool = False
    size: str = "small"
    volume: float = 1.0
    compliance: float = 0.0
    bad_actor: bool = False
    is_person: bool = False
    native_name: str | None = None
    #: Relative likelihood that a consignment of this operator carries an irregularity.
    risk: float = 1.0
    party: orjson.Fragment = field(init=False, repr=False, compare=False)
    party_no_address: orjson.Fragment = field(init=False, repr=False, compare=False)
    party_native: orjson.Fragment | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "party", _fragment(self.party_dict()))
        object.__setattr__(self, "party_no_address", _fragment(self.party_dict(False)))
        native = None
        if self.native_name is not None:
            d = self.party_dict()
            d["name"] = self.native_name
            native = _fragment(d)
        object.__setattr__(self, "party_native", native)

    def party_dict(self, with_address: bool = True) -> dict[str, Any]:
        """The DM-5 party element, in the shape of ``tollgate.declarations.models.Party``."""
        out: dict[str, Any] = {"name": self.name}
        if with_address:
            address = {"street": self.street, "city": self.city}
            if self.postcode:
                address["postcode"] = self.postcode
            address["country"] = self.country
            out["address"] = address
        if self.eori is not None:
            out["eori"] = self.eori
        if self.is_person:
            out["is_person"] = True
        return out

    def register_entry(self) -> dict[str, Any]:
        """What a customs authority knows about the operator (its register and history)."""
        return {
            "role": self.role,
            "eori": self.eori,
            "name": self.name,
            "country": self.country,
            "city": self.city,
            "aeo": self.aeo,
            "size": self.size,
            "compliance_history": round(self.compliance, 4),
            "known_bad_actor": self.bad_actor,
        }


@dataclass(frozen=True, slots=True)
class Vessel:
    name: str
    imo: str
    flag: str


@dataclass(frozen=True, slots=True)
class Carrier:
    """A carrier with what its documents and means of transport are numbered by."""

    operator: Operator
    #: ISO 6346 owner code (3 letters) of its containers; sea carriers only.
    owner_code: str = ""
    #: Prefix of its master bills of lading, or its airline designator.
    prefix: str = ""
    #: Air waybill airline prefix (3 digits); airlines only.
    awb_prefix: str = ""
    vessels: tuple[Vessel, ...] = ()


# --------------------------------------------------------------------------- formats


def _pattern(rng: random.Random, pattern: str) -> str:
    """Fill ``#`` with digits and ``@`` with capital letters (postcodes, identifiers)."""
    r = rng.random
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(int(r() * 10)))
        elif ch == "@":
            out.append(chr(65 + int(r() * 26)))
        else:
            out.append(ch)
    return "".join(out)


#: EORI layouts by issuing country: the national identifier each Member State builds on.
_EORI_PATTERNS: dict[str, str] = {
    "NL": "NL#########",
    "DE": "DE##########",
    "BE": "BE0#########",
    "FR": "FR##############",
    "IT": "IT###########",
    "ES": "ESB########",
    "PL": "PL##########00000",
    "AT": "ATEOS##########",
    "CZ": "CZ########",
    "SE": "SE##########",
    "DK": "DK########",
    "IE": "IE#######@",
    "PT": "PT#########",
    "GR": "GR#########",
    "HU": "HU##########",
    "BG": "BG#########",
    "LU": "LU########",
}


def eori_for(rng: random.Random, country: str) -> str:
    """An EORI in the format its issuing Member State uses."""
    return _pattern(rng, _EORI_PATTERNS.get(country, country + "##########"))


@dataclass(frozen=True, slots=True)
class _Locale:
    cities: tuple[tuple[str, str], ...]
    streets: tuple[str, ...]
    number_first: bool
    surnames: tuple[str, ...]
    given: tuple[str, ...]
    suffixes: tuple[str, ...]
    words: tuple[str, ...]
    word_first: bool = False


def _t(s: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in s.split("|"))


def _cities(s: str) -> tuple[tuple[str, str], ...]:
    out = []
    for part in s.split("|"):
        city, _, postcode = part.strip().partition("=")
        out.append((city, postcode))
    return tuple(out)


# fmt: off
_EU_LOCALES: dict[str, _Locale] = {
    "NL": _Locale(_cities("Rotterdam=30## @@|Amsterdam=10## @@|Venlo=59## @@|Tilburg=50## @@|"
                          "Eindhoven=56## @@|Utrecht=35## @@"),
                  _t("Havenstraat|Industrieweg|Marconistraat|Kerkstraat|Stationsweg|Energieweg"),
                  False,
                  _t("de Vries|Jansen|van Dijk|Bakker|Visser|Smit|Meijer|de Boer|Mulder|Bos|Vos|"
                     "Peters"),
                  _t("Daan|Sanne|Lucas|Emma|Thijs|Fleur|Jeroen|Anouk|Bram|Lotte"),
                  _t("B.V."), _t("Trading|Import|Handelsonderneming|Groothandel|Distributie")),
    "DE": _Locale(_cities("Hamburg=2####|Duisburg=47###|Frankfurt am Main=60###|München=80###|"
                          "Köln=50###|Bremen=28###|Berlin=1####"),
                  _t("Hafenstraße|Industriestraße|Bahnhofstraße|Hauptstraße|Gewerbering|"
                     "Lagerstraße"), False,
                  _t("Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Hoffmann|Schulz|"
                     "Koch|Richter"),
                  _t("Lukas|Anna|Jonas|Lea|Felix|Laura|Maximilian|Sophie|Paul|Marie"),
                  _t("GmbH|GmbH & Co. KG|AG"),
                  _t("Handels|Import|Vertriebs|Warenhandel|Großhandels")),
    "BE": _Locale(_cities("Antwerpen=2###|Brussel=1###|Gent=9###|Liège=4###|Mechelen=28##"),
                  _t("Noorderlaan|Kempenlaan|Havenlaan|Rue de l'Industrie|Industrieweg"), False,
                  _t("Peeters|Janssens|Maes|Jacobs|Mertens|Willems|Dubois|Lambert|Claes|Wouters"),
                  _t("Noah|Emma|Louis|Olivia|Arthur|Louise|Jules|Mila"),
                  _t("NV|BV|SA|SRL"), _t("Import|Trading|Distributie|Handel")),
    "FR": _Locale(_cities("Paris=75###|Lyon=69###|Marseille=13###|Le Havre=76###|Lille=59###|"
                          "Roissy-en-France=95700"),
                  _t("rue de la République|avenue Jean Jaurès|boulevard Gambetta|rue du Port|"
                     "rue de l'Industrie"), True,
                  _t("Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|"
                     "Laurent|Girard"),
                  _t("Gabriel|Louise|Raphaël|Jade|Léo|Emma|Arthur|Chloé|Hugo|Manon"),
                  _t("SAS|SARL|SA"), _t("Import|Distribution|Négoce|Commerce International"), True),
    "IT": _Locale(_cities("Milano=20###|Genova=16###|Napoli=80###|Torino=10###|Bologna=40###|"
                          "Prato=59100"),
                  _t("Via Roma|Via Garibaldi|Via dell'Industria|Corso Italia|Via Mazzini"), False,
                  _t("Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci|Marino|Greco"),
                  _t("Leonardo|Sofia|Francesco|Giulia|Alessandro|Aurora|Lorenzo|Ginevra"),
                  _t("S.r.l.|S.p.A."), _t("Distribuzione|Import|Commerciale|Forniture")),
    "ES": _Locale(_cities("Madrid=28###|Barcelona=08###|Valencia=46###|Algeciras=11###|"
                          "Zaragoza=50###|Sevilla=41###"),
                  _t("Calle Mayor|Avenida de la Constitución|Calle del Puerto|"
                     "Polígono Industrial Norte"), False,
                  _t("García|Fernández|González|Rodríguez|López|Martínez|Sánchez|Pérez|Gómez|"
                     "Martín"),
                  _t("Hugo|Lucía|Martín|Sofía|Mateo|Martina|Pablo|Valeria"),
                  _t("S.L.|S.A."), _t("Importaciones|Distribuciones|Comercial"), True),
    "PL": _Locale(_cities("Warszawa=0#-###|Gdańsk=80-###|Łódź=90-###|Poznań=60-###|"
                          "Wrocław=50-###|Kraków=30-###"),
                  _t("ul. Portowa|ul. Przemysłowa|ul. Marszałkowska|ul. Składowa|ul. Kolejowa"),
                  False,
                  _t("Nowak|Kowalski|Wiśniewski|Wójcik|Kowalczyk|Kamiński|Lewandowski|Zieliński"),
                  _t("Antoni|Zuzanna|Jan|Hanna|Aleksander|Julia|Franciszek|Maja"),
                  _t("Sp. z o.o.|S.A."), _t("Handel|Import-Export|Dystrybucja")),
    "AT": _Locale(_cities("Wien=1###|Graz=8###|Linz=4###|Salzburg=5###"),
                  _t("Industriestraße|Hauptstraße|Lagerhausstraße|Bahnhofstraße"), False,
                  _t("Gruber|Huber|Bauer|Wagner|Pichler|Steiner|Moser|Mayer"),
                  _t("Paul|Anna|David|Marie|Elias|Emilia|Jakob|Lena"),
                  _t("GmbH"), _t("Handels|Import|Vertriebs")),
    "CZ": _Locale(_cities("Praha=1## ##|Brno=6## ##|Ostrava=7## ##"),
                  _t("Průmyslová|Nádražní|Skladová"), False,
                  _t("Novák|Svoboda|Novotný|Dvořák|Černý|Procházka"),
                  _t("Jakub|Eliška|Jan|Tereza|Tomáš|Anna"),
                  _t("s.r.o.|a.s."), _t("Obchod|Import|Distribuce")),
    "SE": _Locale(_cities("Göteborg=4## ##|Stockholm=1## ##|Malmö=2## ##|Helsingborg=25# ##"),
                  _t("Hamngatan|Industrivägen|Storgatan|Lagergatan"), False,
                  _t("Andersson|Johansson|Karlsson|Nilsson|Eriksson|Larsson|Olsson"),
                  _t("William|Alice|Liam|Maja|Noah|Elsa|Hugo|Astrid"),
                  _t("AB"), _t("Import|Handel|Trading")),
    "DK": _Locale(_cities("København=1###|Aarhus=8000|Odense=5000|Esbjerg=6700"),
                  _t("Havnegade|Industrivej|Vestergade|Lagervej"), False,
                  _t("Nielsen|Jensen|Hansen|Pedersen|Andersen|Christensen"),
                  _t("Oscar|Ida|Carl|Emma|William|Freja"),
                  _t("ApS|A/S"), _t("Import|Handel|Trading")),
    "IE": _Locale(_cities("Dublin=D## @###|Cork=T12 @###|Galway=H91 @###"),
                  _t("Main Street|Dublin Road|Harbour Road|Parkway Business Park"), True,
                  _t("Murphy|Kelly|O'Sullivan|Walsh|Byrne|Ryan|O'Brien"),
                  _t("Jack|Grace|Noah|Emily|James|Fiadh|Conor|Aoife"),
                  _t("Ltd|DAC"), _t("Imports|Trading|Distribution")),
    "PT": _Locale(_cities("Lisboa=1###-###|Porto=4###-###|Sines=7520-###"),
                  _t("Rua Augusta|Avenida da Liberdade|Rua do Porto|Zona Industrial"), False,
                  _t("Silva|Santos|Ferreira|Pereira|Oliveira|Costa|Rodrigues"),
                  _t("Francisco|Maria|Afonso|Leonor|Tomás|Beatriz"),
                  _t("Lda.|S.A."), _t("Importação|Comércio|Distribuição"), True),
    "GR": _Locale(_cities("Athina=1## ##|Pireas=185 ##|Thessaloniki=54# ##"),
                  _t("Akti Miaouli|Leoforos Kifisias|Odos Ermou|Leoforos Syngrou"), False,
                  _t("Papadopoulos|Georgiou|Oikonomou|Dimitriou|Nikolaidis|Papadakis"),
                  _t("Georgios|Maria|Ioannis|Eleni|Konstantinos|Sofia"),
                  _t("S.A.|E.P.E."), _t("Import|Emporiki|Trading")),
    "HU": _Locale(_cities("Budapest=1###|Debrecen=40##|Győr=90##"),
                  _t("Fő utca|Ipari út|Raktár utca"), False,
                  _t("Nagy|Kovács|Tóth|Szabó|Horváth|Varga"),
                  _t("Bence|Hanna|Máté|Anna|Levente|Zsófia"),
                  _t("Kft.|Zrt."), _t("Kereskedelmi|Import|Trading")),
}
# fmt: on

#: Where EU importers sit, weighted by share of EU imports.
_IMPORTER_COUNTRIES: dict[str, float] = {
    "DE": 22, "NL": 16, "FR": 12, "IT": 10, "BE": 9, "ES": 8, "PL": 6, "AT": 3, "CZ": 3,
    "SE": 3, "DK": 2, "IE": 2, "PT": 2, "GR": 1, "HU": 1,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Style:
    stems: tuple[str, ...]
    trades: tuple[str, ...]
    suffixes: tuple[str, ...]
    streets: tuple[str, ...]
    #: 0: "No. 12 Street", 1: "12 Street", 2: "Street 12".
    street_format: int


# fmt: off
_STYLES: dict[str, _Style] = {
    "zh": _Style(_t("Hengxin|Jiahe|Huarui|Tianyu|Mingda|Xinyuan|Jinlong|Haoyang|Ruifeng|Baisheng|"
                    "Yongtai|Kaida|Hongda|Shengtai"),
                 _t("Trading|Import & Export|Electronics|Textile|Technology|Industrial"),
                 _t("Co., Ltd."),
                 _t("Jianshe Road|Renmin Road|Binhai Avenue|Keji Road|Gongye Avenue|"
                    "Zhongshan Road"), 0),
    "en": _Style(_t("Pacific|Summit|Northbridge|Redwood|Harbor|Liberty|Crescent|Blue Ridge|"
                    "Silverline|Oakmont|Keystone|Meridian"),
                 _t("Supply|Trading|Industries|Exports|Goods|Manufacturing"), _t("Inc.|LLC"),
                 _t("Commerce Drive|Industrial Parkway|Harbor Boulevard|Main Street|Export Road"),
                 1),
    "in": _Style(_t("Shree Ganesh|Bharat|Sunrise|Ganga|Royal|Al-Noor|Rahman|Ceylon|Kaveri|Lotus|"
                    "Everest|Indus"),
                 _t("Exports|Textiles|Overseas|Industries|Garments|Pharma"), _t("Pvt. Ltd.|Ltd."),
                 _t("MIDC Industrial Area|Export Promotion Zone|Ring Road|Station Road|"
                    "GIDC Estate"), 1),
    "es": _Style(_t("Agroexportadora del Pacífico|Frutas Andinas|Comercializadora Sol|"
                    "Exportadora Santa Rosa|Costa Verde|Valle Alto|Río Claro|Cordillera"),
                 _t("Export|Trading|Agro|Industrial"), _t("S.A.|S.A.S."),
                 _t("Avenida Central|Calle Principal|Carretera Panamericana|Zona Franca"), 2),
    "pt": _Style(_t("Serra Alta|Vale do Sinos|Paulista|Mineira|Cerrado|Atlântico"),
                 _t("Agroindustrial|Exportação|Comércio|Calçados|Café"), _t("Ltda.|S.A."),
                 _t("Rodovia Anhanguera|Avenida Paulista|Rua do Comércio|Distrito Industrial"), 2),
    "tr": _Style(_t("Anadolu|Ege|Marmara|Karadeniz|Yıldız|Akdeniz|Toros|Kartal"),
                 _t("Tekstil|Gıda|Otomotiv|Metal|Elektronik|Dış Ticaret"), _t("San. ve Tic. A.Ş.|"
                                                                              "Ltd. Şti."),
                 _t("Organize Sanayi Bölgesi|Atatürk Caddesi|Cumhuriyet Caddesi|Liman Yolu"), 2),
    "ar": _Style(_t("Al Noor|Al Safwa|Gulf Star|Nile Valley|Atlas|Sahara|Al Mansour|Al Baraka|"
                    "Delta"),
                 _t("General Trading|Trading|Industries|Export|Import & Export"), _t("LLC|FZE|"
                                                                                     "S.A.R.L."),
                 _t("Sheikh Zayed Road|Industrial Area 3|Corniche Street|Free Zone"), 1),
    "fr": _Style(_t("Ivoire|Sahel|Cacao Plus|Agro Savane|Tropical|Littoral"),
                 _t("Export|Négoce|Agro-Industrie"), _t("SA|SARL"),
                 _t("Boulevard de la République|Zone Industrielle|Rue du Commerce"), 1),
    "ja": _Style(_t("Sakura|Fuji|Yamato|Hikari|Kawasaki|Takumi|Shinsei"),
                 _t("Trading|Kogyo|Electronics|Shoji"), _t("Co., Ltd.|K.K."),
                 _t("Minato-ku|Chuo-ku|Kohoku-ku|Naka-ku"), 1),
    "ko": _Style(_t("Hanil|Daesung|Hanbit|Dongyang|Seojin|Woojin"),
                 _t("Trading|Industrial|Electronics|Chemical"), _t("Co., Ltd."),
                 _t("Gangnam-daero|Haeundae-ro|Sandan-ro|Teheran-ro"), 1),
    "sea": _Style(_t("Minh Phat|Viet Tien|Siam|Golden Harvest|Nusantara|Mekong|Saigon|Malacca|"
                     "Jaya|Pearl"),
                  _t("Garment|Trading|Industries|Manufacturing|Export"), _t("Co., Ltd.|Sdn. Bhd.|"
                                                                            "Joint Stock Company"),
                  _t("Industrial Zone|Export Processing Zone|Highway 1A|Jalan Perusahaan"), 1),
    "ru": _Style(_t("Agro|Dnipro|Karpaty|Sumadija|Belagro|Volyn|Morava|Polesie"),
                 _t("Trade|Export|Agro|Industrial"), _t("LLC|d.o.o.|OOO"),
                 _t("vul. Shevchenka|Bulevar Oslobođenja|prospekt Nezavisimosti|vul. Promyslova"),
                 2),
    "ch": _Style(_t("Alpina|Helvetia|Rheintal|Jura|Lemania|Gotthard"),
                 _t("Trading|Pharma|Chocolats|Uhren|Industrie"), _t("AG|SA|GmbH"),
                 _t("Bahnhofstrasse|Industriestrasse|Rue du Rhône|Hauptstrasse"), 2),
    "no": _Style(_t("Nordfjord|Havbris|Fjordlys|Polarhav"),
                 _t("Seafood|Trading|Export"), _t("AS"),
                 _t("Havnegata|Industriveien|Storgata"), 2),
}

#: Exporting countries: name style, cities with their postcode patterns, legal suffix if the
#: style's default does not fit the country.
_ORIGIN_LOCALES: dict[str, tuple[str, str, str]] = {
    "CN": ("zh", "Shenzhen=518###|Ningbo=315###|Yiwu=322###|Guangzhou=510###|Dongguan=523###|"
                 "Xiamen=361###|Shanghai=200###|Qingdao=266###|Suzhou=215###|"
                 "Hangzhou=310###", "Co., Ltd."),
    "HK": ("zh", "Hong Kong=|Kowloon=", "Limited"),
    "TW": ("zh", "Taipei=1##|Taichung=4##|Kaohsiung=8##", "Co., Ltd."),
    "SG": ("en", "Singapore=######", "Pte. Ltd."),
    "KR": ("ko", "Seoul=0####|Busan=4####|Incheon=2####", ""),
    "JP": ("ja", "Tokyo=1##-####|Yokohama=2##-####|Osaka=5##-####", ""),
    "VN": ("sea", "Ho Chi Minh City=7#####|Hanoi=1#####|Hai Phong=18####", "Co., Ltd."),
    "TH": ("sea", "Bangkok=10###|Chonburi=20###|Samut Prakan=10###", "Co., Ltd."),
    "MY": ("sea", "Klang=41###|Penang=1####|Johor Bahru=8####", "Sdn. Bhd."),
    "ID": ("sea", "Jakarta=1####|Surabaya=60###|Bekasi=17###", "PT"),
    "PH": ("sea", "Manila=1###|Cebu=6000", "Inc."),
    "KH": ("sea", "Phnom Penh=12###|Sihanoukville=18###", "Co., Ltd."),
    "MM": ("sea", "Yangon=11###", "Co., Ltd."),
    "BD": ("in", "Dhaka=1###|Chattogram=4###|Gazipur=17##", ""),
    "IN": ("in", "Mumbai=400###|Tiruppur=641###|Ahmedabad=380###|Chennai=600###|"
                 "Ludhiana=141###", ""),
    "PK": ("in", "Karachi=7####|Faisalabad=38###|Sialkot=51###", ""),
    "LK": ("in", "Colombo=00###|Katunayake=11###", ""),
    "AE": ("ar", "Dubai=|Sharjah=|Jebel Ali=", "LLC"),
    "SA": ("ar", "Jeddah=2####|Jubail=3####", "Co."),
    "QA": ("ar", "Doha=|Mesaieed=", "W.L.L."),
    "TR": ("tr", "İstanbul=34###|Bursa=16###|İzmir=35###|Gaziantep=27###|Denizli=20###", ""),
    "EG": ("ar", "Alexandria=21###|Cairo=11###|Port Said=42###", "S.A.E."),
    "MA": ("ar", "Casablanca=20###|Tanger=90###|Agadir=80###", "S.A.R.L."),
    "TN": ("ar", "Tunis=1###|Sousse=4###", "S.A.R.L."),
    "ZA": ("en", "Durban=4###|Cape Town=8###|Johannesburg=2###", "(Pty) Ltd"),
    "CI": ("fr", "Abidjan=|San-Pédro=", ""),
    "GH": ("en", "Tema=|Accra=", "Ltd"),
    "CM": ("fr", "Douala=", ""),
    "TG": ("fr", "Lomé=", ""),
    "MU": ("en", "Port Louis=11###", "Ltd"),
    "KE": ("en", "Nairobi=00100|Mombasa=80100|Naivasha=20117", "Ltd"),
    "UG": ("en", "Kampala=", "Ltd"),
    "ET": ("en", "Addis Ababa=1000", "PLC"),
    "US": ("en", "Los Angeles=900##|Houston=770##|Newark=071##|Savannah=314##|Chicago=606##|"
                 "Fresno=937##", ""),
    "CA": ("en", "Toronto=M#@ #@#|Montréal=H#@ #@#|Vancouver=V#@ #@#", "Inc."),
    "MX": ("es", "Veracruz=91###|Monterrey=64###", "S.A. de C.V."),
    "BR": ("pt", "Santos=11###-###|São Paulo=0####-###|Franca=14###-###|"
                 "Novo Hamburgo=93###-###", ""),
    "AR": ("es", "Buenos Aires=C####@@@|Mendoza=M####@@@", "S.A."),
    "CL": ("es", "Santiago=8######|Valparaíso=2######", "SpA"),
    "PE": ("es", "Lima=15###|Trujillo=13###", "S.A.C."),
    "EC": ("es", "Guayaquil=09####|Machala=07####", "S.A."),
    "CO": ("es", "Bogotá=11####|Medellín=05####|Santa Marta=47####", "S.A.S."),
    "CR": ("es", "San José=10###|Limón=70###", "S.A."),
    "HN": ("es", "San Pedro Sula=21###", "S.A."),
    "AU": ("en", "Melbourne=3###|Sydney=2###|Adelaide=5###", "Pty Ltd"),
    "UA": ("ru", "Kyiv=0####|Odesa=65###|Lviv=79###", "LLC"),
    "RS": ("ru", "Beograd=11###|Novi Sad=21###", "d.o.o."),
    "BY": ("ru", "Minsk=220###|Brest=224###", "OOO"),
    "GB": ("en", "London=E# #@@|Birmingham=B# #@@|Glasgow=G# #@@|Manchester=M# #@@", "Ltd"),
    "CH": ("ch", "Basel=4###|Zürich=8###|Genève=12##|Biel=25##", ""),
    "NO": ("no", "Oslo=0###|Ålesund=60##|Bergen=50##", "AS"),
}
# fmt: on

#: Names in the country's own script, for planted DQ-4 findings (non-Latin party data).
_NATIVE: dict[str, tuple[str, ...]] = {
    "JP": _t("桜商事株式会社|富士工業株式会社|大和電子株式会社|光貿易株式会社"),
    "KR": _t("한일무역 주식회사|대성산업 주식회사|한빛전자 주식회사|동양화학 주식회사"),
    "TH": _t("บริษัท สยามเทรดดิ้ง จำกัด|บริษัท โกลเด้นฮาร์เวสต์ จำกัด"),
    "UA": _t("ТОВ «Дніпро Агро»|ТОВ «Карпати Трейд»|ТОВ «Волинь Експорт»"),
    "RS": _t("Шумадија Трејд д.о.о.|Морава Агро д.о.о."),
    "BY": _t("ООО «Белагро»|ООО «Полесье Трейд»"),
    "AE": _t("شركة النور للتجارة العامة|شركة الصفوة للتجارة"),
    "EG": _t("شركة وادي النيل للتصدير|شركة الدلتا للصناعات"),
    "SA": _t("شركة البركة التجارية|شركة المنصور للصناعات"),
}

_ZH_CITY = {"Shenzhen": "深圳", "Ningbo": "宁波", "Yiwu": "义乌", "Guangzhou": "广州",
            "Dongguan": "东莞", "Xiamen": "厦门", "Shanghai": "上海", "Qingdao": "青岛",
            "Suzhou": "苏州", "Hangzhou": "杭州", "Hong Kong": "香港", "Kowloon": "九龙",
            "Taipei": "台北", "Taichung": "台中", "Kaohsiung": "高雄"}  # fmt: skip
_ZH_STEM = {"Hengxin": "恒信", "Jiahe": "嘉禾", "Huarui": "华瑞", "Tianyu": "天宇",
            "Mingda": "明达",
            "Xinyuan": "鑫源", "Jinlong": "金龙", "Haoyang": "浩洋", "Ruifeng": "瑞丰",
            "Baisheng": "百盛", "Yongtai": "永泰", "Kaida": "凯达", "Hongda": "宏达",
            "Shengtai": "盛泰"}  # fmt: skip
_ZH_TRADE = {"Trading": "贸易", "Import & Export": "进出口", "Electronics": "电子",
             "Textile": "纺织", "Technology": "科技", "Industrial": "实业"}  # fmt: skip


def _code(rng: random.Random) -> str:
    return "".join(chr(65 + rng.randrange(26)) for _ in range(3))


def _street(rng: random.Random, street: str, fmt: int) -> str:
    n = rng.randrange(1, 400)
    if fmt == 0:
        return f"No. {n} {street}"
    if fmt == 1:
        return f"{n} {street}"
    return f"{street} {n}"


# --------------------------------------------------------------------------- builders


def _size(rng: random.Random) -> tuple[str, float]:
    """Size class and volume weight: a few large traders carry much of the trade."""
    r = rng.random()
    if r < 0.05:
        return "large", 40.0
    if r < 0.30:
        return "medium", 5.0
    return "small", 1.0


def _history(rng: random.Random, aeo: bool, bad: bool) -> float:
    """Share of past controls with findings: low for AEOs, high for known bad actors."""
    if bad:
        return 0.15 + 0.3 * rng.random()
    base = 0.01 if aeo else 0.04
    return base * 2 * rng.random()


def eu_company(
    rng: random.Random,
    role: str,
    country: str,
    *,
    trade_word: str | None = None,
    bad_actor_share: float = 0.0,
) -> Operator:
    """An EU-established company with an EORI of its Member State."""
    loc = _EU_LOCALES[country]
    surname = rng.choice(loc.surnames)
    word = trade_word or rng.choice(loc.words)
    suffix = rng.choice(loc.suffixes)
    name = f"{word} {surname} {suffix}" if loc.word_first else f"{surname} {word} {suffix}"
    city, postcode = rng.choice(loc.cities)
    street = rng.choice(loc.streets)
    n = rng.randrange(1, 300)
    street_line = f"{n} {street}" if loc.number_first else f"{street} {n}"
    size, volume = _size(rng)
    aeo_p = {"large": 0.6, "medium": 0.2, "small": 0.03}[size]
    aeo = rng.random() < aeo_p
    bad = not aeo and size != "large" and rng.random() < bad_actor_share
    return Operator(
        role=role,
        name=name,
        street=street_line,
        city=city,
        postcode=_pattern(rng, postcode),
        country=country,
        eori=eori_for(rng, country),
        code=_code(rng),
        aeo=aeo,
        size=size,
        volume=volume,
        compliance=_history(rng, aeo, bad),
        bad_actor=bad,
    )


def eu_person(rng: random.Random, country: str) -> Operator:
    """A private consignee of a low-value parcel: name and address only (DM-5)."""
    loc = _EU_LOCALES[country]
    city, postcode = rng.choice(loc.cities)
    street = rng.choice(loc.streets)
    n = rng.randrange(1, 200)
    return Operator(
        role="person",
        name=f"{rng.choice(loc.given)} {rng.choice(loc.surnames)}",
        street=f"{n} {street}" if loc.number_first else f"{street} {n}",
        city=city,
        postcode=_pattern(rng, postcode),
        country=country,
        eori=None,
        code="PRV",
        is_person=True,
    )


def foreign_company(
    rng: random.Random,
    country: str,
    *,
    bad_actor_share: float,
    role: str = "exporter",
    trade: str | None = None,
    eori_country: str | None = None,
) -> Operator:
    """A company in a third country, named and addressed in that country's style.

    Most third-country exporters have no EORI; hauliers lodge with one issued by the
    Member State they enter (``eori_country``).
    """
    style_key, cities_spec, suffix_override = _ORIGIN_LOCALES[country]
    style = _STYLES[style_key]
    stem = rng.choice(style.stems)
    if trade is None:
        trade = rng.choice(style.trades)
    suffix = suffix_override or rng.choice(style.suffixes)
    city, postcode = rng.choice(_cities(cities_spec))
    if suffix == "PT":
        name = f"PT {stem} {trade}"
    elif style_key == "zh" and country == "CN":
        name = f"{city} {stem} {trade} {suffix}"
    else:
        name = f"{stem} {trade} {suffix}"
    native: str | None = None
    if style_key == "zh" and trade in _ZH_TRADE:
        prefix = _ZH_CITY.get(city, "") if country == "CN" else ""
        native = f"{prefix}{_ZH_STEM[stem]}{_ZH_TRADE[trade]}有限公司"
    elif country in _NATIVE:
        native = rng.choice(_NATIVE[country])
    size, volume = _size(rng)
    bad = rng.random() < bad_actor_share
    if eori_country is not None:
        eori: str | None = eori_for(rng, eori_country)
    else:
        eori = eori_for(rng, "NL") if rng.random() < 0.1 else None
    return Operator(
        role=role,
        name=name,
        street=_street(rng, rng.choice(style.streets), style.street_format),
        city=city,
        postcode=_pattern(rng, postcode) if postcode else "",
        country=country,
        eori=eori,
        code=_code(rng),
        size=size,
        volume=volume,
        compliance=_history(rng, False, bad),
        bad_actor=bad,
        native_name=native,
    )


def _imo(rng: random.Random) -> str:
    """A 7-digit IMO ship number whose last digit is its check digit."""
    digits = [9, rng.randrange(10), *(rng.randrange(10) for _ in range(4))]
    check = sum(d * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10
    return "".join(map(str, digits)) + str(check)


_VESSEL_WORDS = _t(
    "Aurora|Harmony|Horizon|Endeavour|Serenity|Voyager|Resolve|Fortuna|Zenith|Solstice|"
    "Meridian|Valiant|Odyssey|Borealis|Pioneer|Tradewind"
)
_FLAGS = ("PA", "LR", "MH", "MT", "SG", "HK", "DK", "PT", "CY", "DE")

# fmt: off
#: Shipping lines: name, country of the EORI, container owner code, B/L prefix.
_SEA_CARRIERS = (
    ("Nordic Star Line A/S", "DK", "NSL", "NSLN", "Nordic"),
    ("Oceanic Bridge Shipping SA", "FR", "OBS", "OBSH", "Oceanic"),
    ("Meridian Container Lines GmbH", "DE", "MCD", "MCDL", "Meridian"),
    ("Azure Tide Maritime S.p.A.", "IT", "ATX", "ATXM", "Azure"),
    ("Pacific Crown Shipping B.V.", "NL", "PCV", "PCVS", "Pacific"),
    ("Golden Lotus Container Line B.V.", "NL", "GLQ", "GLQL", "Lotus"),
    ("Iberian Ocean Lines S.L.", "ES", "IOZ", "IOZL", "Iberian"),
    ("Hanseatic Feeder Services GmbH", "DE", "HFQ", "HFQS", "Hansa"),
)
#: Cargo airlines: name, EORI country, designator, AWB prefix.
_AIRLINES = (
    ("Skybridge Air Cargo B.V.", "NL", "K7", "743"),
    ("Aerocargo Europa S.A.", "ES", "E4", "562"),
    ("Luxair Freight Partners S.A.", "LU", "L3", "918"),
    ("Silk Route Airlines GmbH", "DE", "S2", "486"),
    ("Cargo Atlantique SAS", "FR", "C8", "371"),
    ("Eastwind Cargo Airlines Sp. z o.o.", "PL", "W6", "659"),
)
_INTEGRATORS = (
    ("SwiftParcel Express NV", "BE", "SPX"),
    ("Continental Courier GmbH", "DE", "CCX"),
    ("Blue Falcon Express B.V.", "NL", "BFX"),
    ("Eagle Air Express SAS", "FR", "EAX"),
)
_POSTAL = {
    "FR": "Poste Express France SA", "DE": "Paketdienst Deutschland AG",
    "NL": "Nederlandse Postdiensten B.V.", "BE": "Belgische Postdiensten NV",
    "IT": "Servizi Postali Italia S.p.A.", "ES": "Servicios Postales de España S.A.",
    "PL": "Poczta Ekspresowa S.A.", "AT": "Österreichische Paketpost AG",
    "SE": "Svensk Postlogistik AB",
}
_RAIL = (("TransEurasia Rail Logistics Sp. z o.o.", "PL", "TER"),
("Silk Corridor Rail GmbH", "DE", "SCR"))
_FORWARDER_STEMS = _t("Atlas|Polaris|Transglobe|Cargolink|Bluewave|Eurasia|Trident|Vanguard|"
                      "Northsea|Continental|"
                      "Rhine|Baltic|Orion|Unity|Swiftline|Keystone|Horizon|Delta|Apex|Sirius")
_FORWARDER_KINDS = _t("Logistics|Freight Forwarding|Shipping & Forwarding|Global Logistics|"
                      "Cargo Services")
# fmt: on

_FORWARDER_COUNTRIES = ("NL", "DE", "BE", "FR", "IT", "ES", "PL", "DK", "AT")
_ADDRESS_OF_HQ = {"NL": "Rotterdam", "DE": "Hamburg", "BE": "Antwerpen", "FR": "Le Havre",
                  "IT": "Genova", "ES": "Valencia", "PL": "Gdańsk", "DK": "København",
                  "AT": "Wien", "LU": "Luxembourg", "SE": "Göteborg"}  # fmt: skip


def _hq(rng: random.Random, role: str, name: str, country: str, code: str) -> Operator:
    """A company with a known head office (carriers, integrators, postal operators)."""
    loc = _EU_LOCALES.get(country)
    if loc is None:
        street, postcode = f"Rue de la Gare {rng.randrange(1, 90)}", _pattern(rng, "L-####")
    else:
        s = rng.choice(loc.streets)
        n = rng.randrange(1, 300)
        street = f"{n} {s}" if loc.number_first else f"{s} {n}"
        city_pc = dict(loc.cities).get(_ADDRESS_OF_HQ.get(country, ""), loc.cities[0][1])
        postcode = _pattern(rng, city_pc)
    return Operator(
        role=role,
        name=name,
        street=street,
        city=_ADDRESS_OF_HQ.get(country, loc.cities[0][0] if loc else country),
        postcode=postcode,
        country=country,
        eori=eori_for(rng, country),
        code=code,
        aeo=rng.random() < 0.85,
        size="large",
        volume=40.0,
        compliance=_history(rng, True, False),
    )


@dataclass(frozen=True, slots=True)
class OperatorPool:
    """All operators of one synthetic world, by role; immutable once built."""

    importers: tuple[Operator, ...]
    exporters: dict[str, tuple[Operator, ...]]
    persons: tuple[Operator, ...]
    declarants: dict[str, tuple[Operator, ...]]
    forwarders: tuple[Operator, ...]
    sea_carriers: tuple[Carrier, ...]
    airlines: tuple[Carrier, ...]
    integrators: tuple[Carrier, ...]
    postal: dict[str, Operator]
    rail: tuple[Carrier, ...]
    hauliers: dict[str, tuple[Operator, ...]]

    def all(self) -> list[Operator]:
        """Every operator once (persons excluded: they are not on any register)."""
        out: list[Operator] = list(self.importers)
        for ops in self.exporters.values():
            out.extend(ops)
        for ops in self.declarants.values():
            out.extend(ops)
        out.extend(self.forwarders)
        for group in (self.sea_carriers, self.airlines, self.integrators, self.rail):
            out.extend(c.operator for c in group)
        out.extend(self.postal.values())
        for ops in self.hauliers.values():
            out.extend(ops)
        return out


def _normalise_risk(ops: list[Operator], bad_factor: float) -> tuple[Operator, ...]:
    """Give each operator a risk factor whose volume-weighted mean is 1.

    Bad actors and operators with a poor history commit more irregularities, AEOs fewer;
    normalising keeps the overall planted rates at what the caller configured.
    """
    raw = [
        (bad_factor if op.bad_actor else (0.3 if op.aeo else 1.0)) * (0.5 + 10 * op.compliance)
        for op in ops
    ]
    total_volume = sum(op.volume for op in ops)
    mean = sum(r * op.volume for r, op in zip(raw, ops, strict=True)) / total_volume
    return tuple(replace(op, risk=r / mean) for r, op in zip(raw, ops, strict=True))


def build_operators(
    rng: random.Random,
    origin_weights: dict[str, float],
    *,
    importers: int = 3000,
    exporters: int = 4000,
    persons: int = 10000,
    bad_actor_share: float = 0.02,
) -> OperatorPool:
    """Build the operator pool; its size is fixed, whatever the number of filings.

    ``origin_weights`` spreads exporters over countries in proportion to their trade.
    """
    countries = list(_IMPORTER_COUNTRIES)
    weights = [_IMPORTER_COUNTRIES[c] for c in countries]
    imp = [
        eu_company(
            rng, "importer", rng.choices(countries, weights)[0], bad_actor_share=bad_actor_share
        )
        for _ in range(importers)
    ]
    total = sum(origin_weights.values())
    exp: dict[str, tuple[Operator, ...]] = {}
    for country in sorted(origin_weights):
        n = max(5, round(exporters * origin_weights[country] / total))
        ops = [foreign_company(rng, country, bad_actor_share=bad_actor_share / 2) for _ in range(n)]
        exp[country] = _normalise_risk(ops, 6.0)
    pers = tuple(eu_person(rng, rng.choices(countries, weights)[0]) for _ in range(persons))
    decl: dict[str, tuple[Operator, ...]] = {}
    for country in sorted(EU_MEMBER_STATES & set(_EU_LOCALES)):
        word = {"NL": "Douane-expediteurs", "DE": "Zollagentur", "FR": "Transit et Douane",
                "ES": "Aduanas", "IT": "Spedizioni Doganali", "PL": "Agencja Celna",
                "BE": "Customs Services"}.get(country, "Customs Services")  # fmt: skip
        decl[country] = tuple(
            eu_company(rng, "declarant", country, trade_word=word) for _ in range(6)
        )
    fwd = []
    for i, stem in enumerate(_FORWARDER_STEMS):
        country = _FORWARDER_COUNTRIES[i % len(_FORWARDER_COUNTRIES)]
        loc = _EU_LOCALES[country]
        name = f"{stem} {rng.choice(_FORWARDER_KINDS)} {loc.suffixes[0]}"
        fwd.append(_hq(rng, "forwarder", name, country, stem[:3].upper()))
    sea = tuple(
        Carrier(
            operator=_hq(rng, "carrier", name, country, owner),
            owner_code=owner,
            prefix=prefix,
            vessels=tuple(
                Vessel(f"{word} {rng.choice(_VESSEL_WORDS)}", _imo(rng), rng.choice(_FLAGS))
                for _ in range(6)
            ),
        )
        for name, country, owner, prefix, word in _SEA_CARRIERS
    )
    air = tuple(
        Carrier(
            operator=_hq(rng, "carrier", name, country, designator + "C"),
            prefix=designator,
            awb_prefix=awb,
        )
        for name, country, designator, awb in _AIRLINES
    )
    exp_carriers = tuple(
        Carrier(operator=_hq(rng, "express", name, country, code), prefix=code[:2])
        for name, country, code in _INTEGRATORS
    )
    postal = {
        country: _hq(rng, "postal", name, country, country + "P")
        for country, name in sorted(_POSTAL.items())
    }
    rail = tuple(
        Carrier(operator=_hq(rng, "carrier", name, country, code), prefix=code)
        for name, country, code in _RAIL
    )
    hauliers: dict[str, tuple[Operator, ...]] = {}
    for country, entry_ms in (("GB", "FR"), ("TR", "BG"), ("CH", "DE"), ("UA", "PL"), ("RS", "HU")):
        hauliers[country] = tuple(
            foreign_company(
                rng,
                country,
                bad_actor_share=0.0,
                role="haulier",
                trade="Transport",
                eori_country=entry_ms,
            )
            for _ in range(8)
        )
    return OperatorPool(
        importers=_normalise_risk(imp, 6.0),
        exporters=exp,
        persons=pers,
        declarants=decl,
        forwarders=tuple(fwd),
        sea_carriers=sea,
        airlines=air,
        integrators=exp_carriers,
        postal=postal,
        rail=rail,
        hauliers=hauliers,
    )


def registered_countries() -> frozenset[str]:
    """Countries exporters can be generated for (the name styles known here)."""
    return frozenset(_ORIGIN_LOCALES)
