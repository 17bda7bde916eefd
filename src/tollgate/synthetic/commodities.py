"""The goods that move: HS 6-digit commodities with descriptions, values, masses and sources.

Risk rules and models are only as good as the trade they are tried on, so the common EU
import flows are written out by hand here — the descriptions a careful filer would use
("Men's cotton knitted T-shirts", not the HS wording), a median customs value per kg, typical
masses and packaging, the modes that carry them and the countries they come from. Every HS6
code here must exist in the HS 2022 nomenclature (the tests check it). The long tail of trade
is drawn from the nomenclature itself in :mod:`tollgate.synthetic.lanes`.

Values are rough orders of magnitude from public EU trade statistics, good enough for
undervaluation to stand out against its lane and for H7 (<= EUR 150) to arise naturally.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Mode classes a commodity can travel by: maritime containers, air cargo, small parcels
#: (express and post) and land (road and rail).
MODE_CLASSES = ("sea", "air", "small", "land")


@dataclass(frozen=True, slots=True)
class Commodity:
    """One HS6 commodity and how it is typically traded into the EU."""

    hs6: str
    #: Median customs value in EUR per kg of net mass.
    unit_value: float
    #: Median net mass (kg) of one goods item in a container or truck load.
    cargo_kg: float
    #: Median net mass (kg) of one goods item in an express or postal parcel.
    parcel_kg: float
    #: UN/ECE Recommendation 21 package kind code and typical gross kg per package.
    package: str
    kg_per_package: float
    #: Net kg of one supplementary unit (piece, pair, litre ...), used to count units.
    kg_per_unit: float
    #: Approximate third-country ("erga omnes") duty rate, as a fraction.
    duty: float
    modes: dict[str, float]
    origins: dict[str, float]
    descriptions: tuple[str, ...]
    #: The same goods described in Chinese, for planted DQ-4 (alphabet) findings.
    zh: str | None = None
    un_number: str | None = None

    @property
    def air_kg(self) -> float:
        """Median net kg of a goods item in air cargo: between a parcel and a container."""
        return max(self.parcel_kg * 5.0, self.cargo_kg * 0.04)


def _weights(spec: str) -> dict[str, float]:
    """Parse ``"CN:60 BD:15"`` into weights; keeps the catalogue below readable."""
    out: dict[str, float] = {}
    for part in spec.split():
        key, _, value = part.partition(":")
        out[key] = float(value)
    return out


def _c(
    hs6: str,
    unit_value: float,
    cargo_kg: float,
    parcel_kg: float,
    package: str,
    kg_per_package: float,
    kg_per_unit: float,
    duty: float,
    modes: str,
    origins: str,
    descriptions: tuple[str, ...],
    zh: str | None = None,
    un_number: str | None = None,
) -> Commodity:
    return Commodity(
        hs6=hs6,
        unit_value=unit_value,
        cargo_kg=cargo_kg,
        parcel_kg=parcel_kg,
        package=package,
        kg_per_package=kg_per_package,
        kg_per_unit=kg_per_unit,
        duty=duty,
        modes=_weights(modes),
        origins=_weights(origins),
        descriptions=descriptions,
        zh=zh,
        un_number=un_number,
    )


# fmt: off
CATALOGUE: tuple[Commodity, ...] = (
    # --- apparel, textiles, footwear, leather goods
    _c("610910", 18, 4000, 0.6, "CT", 12, 0.2, 0.12, "sea:6 air:1 small:3 land:1",
       "CN:40 BD:25 TR:12 IN:8 VN:6 PK:5 KH:4",
       ("Men's cotton knitted T-shirts", "Women's cotton jersey T-shirts",
        "Children's printed cotton T-shirts", "Cotton knitted crew-neck T-shirts"),
       zh="男式棉质针织T恤"),
    _c("611020", 20, 3000, 0.8, "CT", 14, 0.45, 0.12, "sea:6 air:1 small:3 land:1",
       "CN:45 BD:20 TR:12 PK:8 IN:8 VN:7",
       ("Men's cotton hooded sweatshirts", "Cotton knitted pullovers",
        "Women's cotton knitted cardigans"),
       zh="棉质针织套头衫"),
    _c("611030", 16, 3000, 0.8, "CT", 14, 0.45, 0.12, "sea:6 air:1 small:3",
       "CN:55 BD:20 TR:10 KH:8 VN:7",
       ("Acrylic knitted cardigans for women", "Polyester fleece pullovers"),
       zh="腈纶针织开衫"),
    _c("620342", 16, 4000, 0.9, "CT", 15, 0.6, 0.12, "sea:7 air:1 small:2 land:1",
       "BD:35 CN:20 PK:15 TR:15 TN:8 VN:7",
       ("Men's cotton denim jeans", "Men's cotton chino trousers",
        "Men's cotton cargo shorts"),
       zh="男式棉质牛仔裤"),
    _c("620462", 17, 4000, 0.8, "CT", 15, 0.55, 0.12, "sea:7 air:1 small:2 land:1",
       "BD:30 CN:25 TR:15 PK:12 TN:10 MA:8",
       ("Women's cotton denim jeans", "Women's cotton trousers, woven"),
       zh="女式棉质牛仔裤"),
    _c("620520", 22, 3000, 0.5, "CT", 12, 0.3, 0.12, "sea:6 air:2 small:2",
       "BD:30 CN:25 IN:20 VN:10 TR:8 LK:7",
       ("Men's woven cotton shirts", "Men's long-sleeved cotton oxford shirts"),
       zh="男式棉质衬衫"),
    _c("611231", 25, 1500, 0.3, "CT", 10, 0.15, 0.12, "sea:5 air:2 small:3",
       "CN:60 LK:15 VN:15 TR:10",
       ("Men's polyester swimming trunks", "Boys' synthetic swim shorts"),
       zh="男式涤纶泳裤"),
    _c("630260", 8, 6000, 1.5, "BL", 40, 0.5, 0.12, "sea:8 land:1 small:1",
       "PK:40 IN:25 TR:20 CN:10 BD:5",
       ("Cotton terry bath towels", "Cotton terry hand towels, 50 x 100 cm"),
       zh="全棉毛巾浴巾"),
    _c("650500", 20, 1500, 0.3, "CT", 8, 0.1, 0.027, "sea:5 air:1 small:4",
       "CN:80 BD:10 VN:10",
       ("Knitted acrylic beanie hats", "Cotton baseball caps"),
       zh="腈纶针织帽"),
    _c("420221", 60, 1500, 0.8, "CT", 12, 0.7, 0.03, "sea:5 air:2 small:3",
       "CN:50 IN:25 VN:15 TR:10",
       ("Women's leather handbags", "Cowhide leather shoulder bags"),
       zh="女式真皮手提包"),
    _c("420292", 10, 3000, 0.7, "CT", 12, 0.6, 0.097, "sea:6 air:1 small:3",
       "CN:75 VN:15 KH:10",
       ("Polyester backpacks for laptops", "Nylon travel duffel bags"),
       zh="涤纶双肩背包"),
    _c("640299", 14, 4000, 0.9, "CT", 10, 0.9, 0.17, "sea:7 air:1 small:3",
       "CN:55 VN:30 ID:10 KH:5",
       ("Men's sports shoes with rubber soles and PU uppers", "Plastic beach sandals",
        "Children's rubber rain boots"),
       zh="男式橡胶底运动鞋"),
    _c("640419", 15, 3500, 0.9, "CT", 10, 0.8, 0.17, "sea:7 air:1 small:3",
       "CN:50 VN:35 ID:10 BD:5",
       ("Women's canvas sneakers with rubber soles", "Textile slip-on shoes"),
       zh="女式帆布鞋"),
    _c("640399", 32, 3000, 1.0, "CT", 10, 1.0, 0.08, "sea:6 air:2 small:2",
       "VN:30 IN:30 CN:20 BR:10 ID:10",
       ("Men's leather lace-up shoes", "Women's leather ankle boots"),
       zh="男式真皮系带皮鞋"),
    # --- electronics
    _c("847130", 260, 2500, 2.0, "CT", 8, 2.0, 0.0, "sea:4 air:5 small:2",
       "CN:80 VN:10 TW:5 TH:5",
       ("Laptop computers, 14 inch, 16 GB RAM", "Notebook computers with 512 GB SSD",
        "Chromebook laptops for education"),
       zh="笔记本电脑", un_number="3481"),
    _c("851713", 600, 800, 0.4, "CT", 6, 0.35, 0.0, "sea:2 air:6 small:3",
       "CN:70 VN:20 IN:10",
       ("Smartphones, 6.5 inch, 128 GB", "Android mobile phones, dual SIM"),
       zh="智能手机", un_number="3481"),
    _c("851779", 150, 800, 0.3, "CT", 6, 0.05, 0.0, "sea:3 air:5 small:2",
       "CN:75 VN:15 KR:10",
       ("Replacement LCD screens for smartphones", "Printed circuit assemblies for routers"),
       zh="手机液晶屏"),
    _c("851762", 80, 1200, 0.8, "CT", 8, 0.5, 0.0, "sea:4 air:4 small:2",
       "CN:70 VN:15 TW:10 MY:5",
       ("Wi-Fi routers", "Managed Ethernet network switches, 24 ports"),
       zh="无线路由器"),
    _c("850760", 25, 4000, 1.0, "CT", 15, 1.5, 0.027, "sea:7 air:2 small:1",
       "CN:70 KR:15 JP:10 US:5",
       ("Lithium-ion batteries for laptops", "Lithium-ion battery packs for e-bikes",
        "Lithium-ion cells, type 18650"),
       zh="锂离子电池", un_number="3480"),
    _c("854143", 2.2, 18000, 20, "PX", 600, 22, 0.0, "sea:10",
       "CN:85 VN:5 MY:4 TH:3 IN:3",
       ("Monocrystalline solar panels, 410 W", "Photovoltaic modules, 550 W bifacial"),
       zh="单晶硅太阳能电池板"),
    _c("852872", 10, 8000, 12, "CT", 18, 15, 0.14, "sea:9 land:1",
       "CN:60 TR:25 VN:10 MY:5",
       ("LED television sets, 55 inch", "Smart TV receivers, 43 inch, 4K"),
       zh="55英寸液晶电视机"),
    _c("851830", 90, 1500, 0.3, "CT", 8, 0.1, 0.02, "sea:4 air:3 small:3",
       "CN:80 VN:15 MY:5",
       ("Bluetooth wireless earphones", "Over-ear headphones with microphone"),
       zh="蓝牙无线耳机"),
    _c("850440", 20, 3000, 0.5, "CT", 10, 0.1, 0.0, "sea:6 air:2 small:2",
       "CN:85 VN:10 TW:5",
       ("USB-C chargers, 20 W", "Power supply adapters for laptops, 65 W"),
       zh="USB充电器"),
    _c("854340", 60, 1500, 0.5, "CT", 10, 0.05, 0.0, "sea:5 air:2 small:3",
       "CN:95 MY:5",
       ("Disposable electronic cigarettes", "Refillable vape pod devices"),
       zh="一次性电子烟", un_number="3481"),
    _c("950450", 80, 1500, 3.0, "CT", 10, 3.5, 0.0, "sea:5 air:3 small:2",
       "CN:80 VN:10 JP:10",
       ("Video game consoles", "Handheld video game consoles"),
       zh="电子游戏机"),
    _c("847330", 110, 1000, 0.6, "CT", 6, 0.5, 0.0, "sea:3 air:5 small:2",
       "CN:60 TW:25 KR:10 MY:5",
       ("Graphics cards for desktop computers", "Computer motherboards"),
       zh="电脑显卡"),
    _c("852351", 150, 600, 0.2, "CT", 5, 0.02, 0.0, "sea:3 air:4 small:3",
       "CN:70 TW:20 KR:10",
       ("USB flash drives, 64 GB", "Solid-state drives, 1 TB, M.2"),
       zh="U盘"),
    _c("853952", 15, 3000, 0.5, "CT", 10, 0.05, 0.027, "sea:7 air:1 small:2",
       "CN:90 VN:5 IN:5",
       ("LED light bulbs, E27, 9 W", "LED filament lamps, E14"),
       zh="LED灯泡"),
    _c("940542", 12, 3000, 1.0, "CT", 10, 1.2, 0.047, "sea:7 air:1 small:2",
       "CN:85 VN:10 TR:5",
       ("LED ceiling lights", "LED panel luminaires, 60 x 60 cm"),
       zh="LED吸顶灯"),
    # --- machinery, vehicles and parts
    _c("841510", 7, 8000, 30, "CT", 45, 35, 0.027, "sea:9 land:1",
       "CN:75 TH:15 TR:10",
       ("Split-system air conditioners, wall mounted, 3.5 kW",),
       zh="分体式壁挂空调"),
    _c("845011", 3.5, 9000, 60, "PK", 70, 65, 0.026, "sea:8 land:2",
       "CN:50 TR:35 TH:15",
       ("Fully automatic front-loading washing machines, 8 kg",),
       zh="全自动滚筒洗衣机"),
    _c("846729", 15, 4000, 2.0, "CT", 12, 1.8, 0.027, "sea:7 air:1 small:2",
       "CN:85 VN:10 TW:5",
       ("Cordless electric drills, 18 V", "Electric angle grinders, 125 mm"),
       zh="无线电钻"),
    _c("848180", 10, 5000, 1.5, "CT", 20, 0.5, 0.022, "sea:8 air:1 land:1",
       "CN:55 IN:20 TR:15 TW:10",
       ("Brass ball valves for water pipes", "Kitchen sink mixer taps, chrome plated"),
       zh="黄铜球阀"),
    _c("840991", 12, 3000, 3.0, "CT", 20, 0.5, 0.027, "sea:7 air:2 land:1",
       "CN:40 IN:25 JP:15 TR:10 KR:10",
       ("Pistons for car petrol engines", "Cylinder heads for spark-ignition engines"),
       zh="汽油发动机活塞"),
    _c("870830", 5, 8000, 3.0, "CT", 20, 1.0, 0.045, "sea:8 air:1 land:1",
       "CN:50 TR:20 IN:15 KR:10 JP:5",
       ("Brake pads for passenger cars", "Brake discs for passenger cars, ventilated"),
       zh="汽车刹车片"),
    _c("401110", 3.5, 15000, 10, "NE", 10, 9, 0.045, "sea:9 land:1",
       "CN:40 TH:20 TR:15 KR:10 ID:10 JP:5",
       ("New radial tyres for passenger cars, 205/55 R16",
        "New summer tyres for cars, 225/45 R17"),
       zh="乘用车子午线轮胎"),
    _c("871160", 25, 6000, 25, "CT", 30, 24, 0.06, "sea:9 air:1",
       "CN:60 TW:25 VN:10 TH:5",
       ("Electric bicycles with pedal assistance, 250 W", "Electric city bikes, 36 V"),
       zh="电动助力自行车", un_number="3171"),
    _c("871200", 8, 6000, 14, "CT", 18, 14, 0.14, "sea:9 land:1",
       "TW:40 CN:30 KH:15 VN:10 BD:5",
       ("Mountain bicycles, 27.5 inch wheels", "Children's bicycles, 16 inch"),
       zh="山地自行车"),
    # --- furniture, toys, sports
    _c("940171", 5, 7000, 14, "CT", 18, 14, 0.0, "sea:9 land:1",
       "CN:75 VN:15 TR:10",
       ("Upholstered office swivel chairs", "Upholstered dining chairs with steel frames"),
       zh="软垫办公转椅"),
    _c("940360", 3, 9000, 20, "PK", 40, 25, 0.0, "sea:9 land:1",
       "VN:35 CN:30 ID:15 MY:10 IN:10",
       ("Solid oak dining tables", "Acacia wood coffee tables"),
       zh="实木餐桌"),
    _c("950300", 8, 5000, 0.7, "CT", 8, 0.4, 0.0, "sea:7 air:1 small:3",
       "CN:90 VN:5 ID:5",
       ("Plastic building block sets for children", "Plush soft toys",
        "Remote-controlled toy cars", "Dolls with accessories"),
       zh="儿童塑料积木玩具"),
    _c("950691", 5, 6000, 5.0, "CT", 20, 20, 0.027, "sea:9 small:1",
       "CN:85 TW:10 VN:5",
       ("Motorised fitness treadmills", "Adjustable dumbbell sets"),
       zh="电动跑步机"),
    # --- metals
    _c("720839", 0.65, 24000, 50, "CL", 12000, 1, 0.0, "sea:10",
       "IN:25 TR:20 KR:15 VN:15 TW:10 CN:10 JP:5",
       ("Hot-rolled non-alloy steel coils, thickness 2.5 mm",),
       zh="热轧钢卷"),
    _c("721049", 0.85, 24000, 50, "CL", 12000, 1, 0.0, "sea:10",
       "KR:25 IN:25 TR:20 VN:15 TW:15",
       ("Hot-dip galvanised steel sheets in coils",),
       zh="热镀锌钢板"),
    _c("731815", 1.8, 18000, 5, "PX", 900, 0.05, 0.037, "sea:9 land:1",
       "CN:50 TW:25 IN:10 VN:10 TR:5",
       ("Zinc-plated steel hexagon bolts, M10", "Stainless steel self-tapping screws"),
       zh="镀锌六角螺栓"),
    _c("760612", 3.2, 20000, 50, "PX", 1500, 1, 0.075, "sea:10",
       "CN:40 TR:25 KR:15 IN:10 AE:10",
       ("Aluminium alloy sheets, grade 6061", "Aluminium alloy plates, 5083"),
       zh="铝合金板"),
    _c("760719", 3.0, 18000, 30, "PX", 800, 1, 0.075, "sea:10",
       "CN:50 TR:30 TH:10 KR:10",
       ("Aluminium household foil rolls", "Aluminium foil for container lids"),
       zh="家用铝箔卷"),
    _c("732393", 5, 5000, 2.0, "CT", 14, 1.0, 0.032, "sea:8 small:2",
       "CN:70 IN:20 TR:10",
       ("Stainless steel cooking pots", "Stainless steel cutlery trays"),
       zh="不锈钢锅"),
    # --- chemicals, plastics, pharma, cosmetics
    _c("390110", 1.1, 25000, 50, "BG", 25, 1, 0.065, "sea:10",
       "SA:35 US:25 KR:15 AE:15 QA:10",
       ("Low-density polyethylene granules, film grade",),
       zh="低密度聚乙烯颗粒"),
    _c("392321", 2.0, 10000, 2.0, "CT", 20, 0.01, 0.065, "sea:9 land:1",
       "CN:45 VN:25 MY:15 TR:15",
       ("Polyethylene carrier bags", "Polyethylene refuse sacks, 60 litres"),
       zh="聚乙烯购物袋"),
    _c("330499", 20, 3000, 0.4, "CT", 10, 0.1, 0.0, "sea:4 air:3 small:3",
       "KR:30 CN:30 US:20 JP:10 CH:10",
       ("Moisturising face creams", "Sunscreen lotions SPF 50"),
       zh="保湿面霜"),
    _c("330300", 30, 1500, 0.3, "CT", 8, 0.1, 0.0, "sea:4 air:3 small:3",
       "AE:30 US:30 CH:20 CN:20",
       ("Eau de parfum, 100 ml bottles",),
       zh="香水"),
    _c("300490", 60, 1500, 0.3, "CT", 10, 0.05, 0.0, "sea:3 air:6 small:1 land:2",
       "IN:30 US:20 CH:25 GB:10 CN:15",
       ("Ibuprofen 400 mg tablets in blister packs", "Paracetamol 500 mg tablets"),
       zh="布洛芬片"),
    _c("293627", 5, 12000, 1.0, "DR", 25, 1, 0.0, "sea:9 air:1",
       "CN:95 IN:5",
       ("Ascorbic acid (vitamin C) powder, 25 kg drums",),
       zh="维生素C粉"),
    # --- food and agriculture
    _c("220830", 12, 9000, 3, "CT", 9, 1.0, 0.0, "sea:4 land:6",
       "GB:90 US:10",
       ("Scotch single malt whisky in 70 cl bottles", "Blended Scotch whisky, 40% vol"),
       zh="苏格兰威士忌"),
    _c("151211", 1.0, 22000, 5, "DR", 200, 1, 0.032, "sea:5 land:5",
       "UA:85 RS:15",
       ("Crude sunflower-seed oil",), zh="粗葵花籽油"),
    _c("081120", 2.5, 18000, 5, "CT", 10, 1, 0.145, "sea:3 land:7",
       "RS:60 UA:25 CL:15",
       ("Frozen raspberries, unsweetened",), zh="冷冻覆盆子"),
    _c("180632", 8, 9000, 1, "CT", 10, 0.1, 0.08, "sea:2 land:7 small:1",
       "CH:60 GB:25 TR:15",
       ("Milk chocolate bars, 100 g", "Dark chocolate tablets, 70% cocoa"),
       zh="牛奶巧克力排块"),
    _c("870323", 16, 1500, 1500, "NE", 1500, 1500, 0.1, "sea:6 land:4",
       "GB:30 JP:25 US:20 KR:15 TR:10",
       ("Passenger cars, petrol engine, 2.0 litre", "Sport utility vehicles, petrol, 1.6 litre"),
       zh="汽油乘用车"),
    _c("080390", 0.75, 20000, 5, "CT", 19, 1, 0.0, "sea:10",
       "EC:40 CO:30 CR:25 CI:5",
       ("Fresh Cavendish bananas",), zh="新鲜香蕉"),
    _c("080510", 0.8, 22000, 5, "CT", 16, 1, 0.16, "sea:10",
       "EG:40 ZA:40 MA:20",
       ("Fresh navel oranges",), zh="新鲜脐橙"),
    _c("090111", 5, 19000, 1.0, "BG", 60, 1, 0.0, "sea:10",
       "BR:40 VN:25 CO:10 HN:10 ET:10 UG:5",
       ("Green arabica coffee beans", "Green robusta coffee beans"),
       zh="生咖啡豆"),
    _c("180100", 7, 20000, 1.0, "BG", 64, 1, 0.0, "sea:10",
       "CI:55 GH:25 EC:10 CM:10",
       ("Raw cocoa beans",), zh="可可豆"),
    _c("030617", 8, 20000, 2.0, "CT", 12, 1, 0.12, "sea:9 air:1",
       "EC:45 IN:25 VN:20 AR:10",
       ("Frozen peeled vannamei shrimps",), zh="冷冻南美白对虾"),
    _c("160414", 5, 18000, 2.0, "CT", 15, 1, 0.24, "sea:10",
       "EC:35 TH:25 PH:15 MU:15 VN:10",
       ("Canned skipjack tuna in vegetable oil",), zh="植物油浸金枪鱼罐头"),
    _c("070320", 1.3, 25000, 3.0, "CT", 10, 1, 0.096, "sea:9 land:1",
       "CN:60 AR:25 EG:15",
       ("Fresh white garlic bulbs",), zh="新鲜白蒜"),
    _c("200911", 2.5, 22000, 5.0, "DR", 250, 1, 0.33, "sea:10",
       "BR:90 MX:10",
       ("Frozen concentrated orange juice",), zh="冷冻浓缩橙汁"),
    _c("100630", 0.8, 24000, 5.0, "BG", 25, 1, 0.0, "sea:10",
       "IN:35 PK:25 TH:15 KH:15 MM:10",
       ("Long grain white rice, milled", "Basmati rice, wholly milled"),
       zh="长粒精米"),
    _c("220421", 3.5, 18000, 5, "CT", 9, 0.75, 0.0, "sea:9 air:1",
       "CL:30 AU:25 ZA:20 US:15 AR:10",
       ("Red wine in 75 cl bottles", "White wine in 75 cl bottles"),
       zh="75厘升瓶装红葡萄酒"),
    _c("240220", 25, 8000, 2, "CT", 12, 1.0, 0.576, "sea:9 land:1",
       "AE:40 BY:25 CH:20 UA:15",
       ("Cigarettes containing tobacco, king size",), zh="香烟"),
    _c("090240", 3, 15000, 1.0, "CT", 20, 1, 0.0, "sea:9 air:1",
       "LK:35 IN:35 KE:20 CN:10",
       ("Black tea leaves in bulk", "Black tea in tea bags"),
       zh="红茶"),
    _c("151190", 1.0, 22000, 5.0, "DR", 200, 1, 0.09, "sea:10",
       "ID:55 MY:45",
       ("Refined palm oil",), zh="精炼棕榈油"),
    _c("080212", 6, 20000, 2, "CT", 23, 1, 0.035, "sea:10",
       "US:80 AU:20",
       ("Shelled almonds",), zh="去壳杏仁"),
    _c("081040", 6, 2000, 2, "CT", 5, 1, 0.032, "sea:5 air:5",
       "PE:50 CL:25 MA:25",
       ("Fresh blueberries",), zh="新鲜蓝莓"),
    _c("060311", 5, 1500, 2, "BX", 15, 0.05, 0.085, "air:10",
       "KE:50 ET:25 CO:15 EC:10",
       ("Fresh cut roses",), zh="鲜切玫瑰"),
    # --- other consumer goods
    _c("711319", 35000, 20, 0.05, "BX", 2, 0.01, 0.025, "air:7 small:3",
       "AE:35 TR:30 IN:25 HK:10",
       ("18-carat gold necklaces", "Gold rings set with diamonds"),
       zh="18K金项链"),
    _c("910211", 300, 300, 0.2, "BX", 5, 0.1, 0.045, "air:6 small:4",
       "CN:60 HK:30 CH:10",
       ("Quartz wrist watches with stainless steel cases", "Digital sports watches"),
       zh="石英手表"),
    _c("900410", 50, 800, 0.2, "CT", 6, 0.04, 0.029, "sea:4 air:2 small:4",
       "CN:90 TW:10",
       ("Polarised sunglasses",), zh="偏光太阳镜"),
    _c("961900", 2.5, 8000, 3, "CT", 8, 0.03, 0.0, "sea:9 land:1",
       "CN:50 TR:50",
       ("Baby diapers, size 4",), zh="婴儿纸尿裤"),
    _c("482010", 2.5, 9000, 1, "CT", 15, 0.2, 0.0, "sea:9 small:1",
       "CN:70 IN:20 VN:10",
       ("Spiral-bound paper notebooks, A5",), zh="A5线圈笔记本"),
    _c("691110", 3, 10000, 3, "CT", 15, 0.5, 0.12, "sea:10",
       "CN:70 TH:20 BD:10",
       ("Porcelain dinner plates", "Porcelain tea sets"),
       zh="瓷餐盘"),
    _c("940490", 7, 5000, 3, "BL", 20, 1.5, 0.037, "sea:9 small:1",
       "CN:70 TR:20 PK:10",
       ("Duvets filled with polyester fibre", "Memory foam pillows"),
       zh="聚酯纤维被"),
)


#: Goods whose import is prohibited or needs a licence (firearms, drug precursors, CITES
#: species, ozone-depleting substances), each with the regime that restricts it.
RESTRICTED: tuple[tuple[Commodity, str], ...] = (
    (_c("930320", 130, 300, 3.5, "CS", 8, 3.2, 0.032, "air:5 sea:3 small:2",
        "TR:50 US:30 BR:20",
        ("Pump-action shotguns, 12 gauge", "Semi-automatic hunting shotguns")),
     "firearms"),
    (_c("930330", 200, 200, 3.8, "CS", 8, 3.6, 0.032, "air:6 sea:3 small:1",
        "US:60 TR:20 CA:20",
        ("Bolt-action hunting rifles, .308 Win",)),
     "firearms"),
    (_c("293941", 80, 500, 1.0, "DR", 25, 1, 0.0, "air:5 sea:4 small:1",
        "IN:60 CN:40",
        ("Ephedrine hydrochloride powder",)),
     "drug precursors"),
    (_c("293942", 90, 500, 1.0, "DR", 25, 1, 0.0, "air:5 sea:4 small:1",
        "IN:60 CN:40",
        ("Pseudoephedrine sulphate powder",)),
     "drug precursors"),
    (_c("293944", 90, 300, 1.0, "DR", 25, 1, 0.0, "air:6 sea:3 small:1",
        "CN:70 IN:30",
        ("Norephedrine hydrochloride",)),
     "drug precursors"),
    (_c("010620", 150, 30, 0.8, "CG", 6, 0.5, 0.0, "air:9 small:1",
        "GH:30 TG:25 ID:25 US:20",
        ("Live ball pythons (Python regius)", "Live Hermann's tortoises (Testudo hermanni)")),
     "CITES"),
    (_c("290371", 6, 8000, 10, "CY", 14, 1, 0.055, "sea:8 land:2",
        "CN:70 IN:30",
        ("Refrigerant gas R-22 (chlorodifluoromethane) in cylinders",),
        un_number="1018"),
     "ozone-depleting substances"),
    (_c("290376", 15, 3000, 10, "CY", 20, 1, 0.055, "sea:8 air:2",
        "CN:80 IN:20",
        ("Halon 1211 (bromochlorodifluoromethane) fire-extinguishing agent",),
        un_number="1974"),
     "ozone-depleting substances"),
)
# fmt: on


#: True HS6 -> HS6 it is wrongly declared under to pay less duty (or escape anti-dumping
#: measures); the goods description stays true, which is what gives it away.
MISCLASSIFICATION: dict[str, str] = {
    "640299": "640620",  # footwear declared as outer soles (17% -> 3%)
    "610910": "630790",  # T-shirts declared as other made-up textile articles
    "070320": "070310",  # garlic (specific duty) declared as onions
    "871160": "871499",  # e-bikes (anti-dumping) declared as bicycle parts
    "620342": "520942",  # trousers declared as denim fabric
    "731815": "731829",  # bolts (anti-dumping) declared as non-threaded articles
    "760719": "760611",  # aluminium foil (anti-dumping) declared as plates
    "847130": "847330",  # laptops declared as computer parts
    "851713": "851779",  # smartphones declared as telephone parts
}


#: Goods under EU anti-dumping or countervailing measures on Chinese origin, the classic
#: cargo for origin laundering through a third country.
LAUNDERING_GOODS: tuple[str, ...] = ("731815", "854143", "871160", "760719", "720839", "871200")

#: Third countries the laundered goods are routed through and declared as originating in,
#: with the transshipment port used.
LAUNDERING_VIA: tuple[tuple[str, str], ...] = (
    ("MY", "MYPKG"),
    ("MY", "MYTPP"),
    ("VN", "VNSGN"),
    ("TH", "THLCH"),
    ("IN", "INNSA"),
)
