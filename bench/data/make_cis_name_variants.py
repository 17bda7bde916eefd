"""Build ``cis-name-variants.csv``: labelled name pairs for CIS name screening.

The transliteration groups, diacritics pairs, business names, aliases and look-alikes are
written by hand from the published conventions (BGN/PCGN, ISO 9, the German Duden and
French and Polish press conventions for Cyrillic; ELOT 743 and older English spellings for
Greek; the common English, French and German spellings of Arabic names; pinyin against
Wade-Giles and Cantonese), not derived from the screening code. Typos and reorderings are
drawn from the same hand-written names with a seeded generator, so the file is byte for
byte reproducible:

    .venv/bin/python bench/data/make_cis_name_variants.py  # writes the csv next to it

Each label answers one question: would a customs analyst say that the candidate is the
person or business of the alert? Look-alikes are different people or firms whose names
share most letters (same surname with another forename, a surname one or two letters
away that is a different family name, a different firm with the same trade word).
"""

from __future__ import annotations

import csv
import itertools
import random
import sys
from pathlib import Path

OUT = Path(__file__).with_name("cis-name-variants.csv")
SEED = 6346

Row = tuple[str, int, str, int, str, int]

# ------------------------------------------------------------------ transliteration
# One person per line: the spellings of one name in different scripts and conventions.
# Order inside a group: original script first where one exists.
TRANSLITERATION: list[list[str]] = [
    # Russian: original, BGN/PCGN, ISO 9 (ASCII where ISO uses diacritics), German,
    # French, Polish, common English press spelling
    [
        "Алексей Петров",
        "Aleksey Petrov",
        "Aleksej Petrov",
        "Alexej Petrow",
        "Alexeï Petrov",
        "Aleksiej Pietrow",
        "Alexei Petrov",
    ],
    [
        "Сергей Кузнецов",
        "Sergey Kuznetsov",
        "Sergej Kuznecov",
        "Sergei Kusnezow",
        "Sergueï Kouznetsov",
        "Siergiej Kuzniecow",
    ],
    [
        "Юрий Смирнов",
        "Yuriy Smirnov",
        "Jurij Smirnov",
        "Juri Smirnow",
        "Iouri Smirnov",
        "Yuri Smirnov",
    ],
    [
        "Дмитрий Иванов",
        "Dmitriy Ivanov",
        "Dmitrij Ivanov",
        "Dmitri Iwanow",
        "Dmitri Ivanoff",
        "Dmitry Ivanov",
    ],
    [
        "Михаил Хрущёв",
        "Mikhail Khrushchev",
        "Michail Chruschtschow",
        "Mikhaïl Khrouchtchev",
        "Michaił Chruszczow",
        "Mikhail Khrushchyov",
    ],
    [
        "Пётр Чайковский",
        "Pyotr Tchaikovsky",
        "Pjotr Tschaikowski",
        "Piotr Czajkowski",
        "Piotr Tchaïkovski",
        "Pyotr Chaykovskiy",
    ],
    [
        "Николай Жуков",
        "Nikolay Zhukov",
        "Nikolai Schukow",
        "Nikolaï Joukov",
        "Nikołaj Żukow",
        "Nikolaj Žukov",
    ],
    [
        "Евгений Щербаков",
        "Yevgeniy Shcherbakov",
        "Evgenij Ščerbakov",
        "Jewgeni Schtscherbakow",
        "Evgueni Chtcherbakov",
        "Jewgienij Szczerbakow",
        "Evgeny Shcherbakov",
    ],
    [
        "Ольга Воробьёва",
        "Olga Vorobyova",
        "Ol'ga Vorob'eva",
        "Olga Worobjowa",
        "Olga Vorobieva",
        "Olga Vorobyeva",
    ],
    [
        "Наталья Фёдорова",
        "Natalya Fyodorova",
        "Natal'ja Fëdorova",
        "Natalja Fjodorowa",
        "Natalia Fiodorova",
        "Natalia Fiodorowa",
    ],
    [
        "Владимир Соловьёв",
        "Vladimir Solovyov",
        "Vladimir Solov'ev",
        "Wladimir Solowjow",
        "Vladimir Soloviev",
        "Władimir Sołowjow",
    ],
    [
        "Григорий Зайцев",
        "Grigoriy Zaytsev",
        "Grigorij Zajcev",
        "Grigori Saizew",
        "Grigori Zaïtsev",
        "Grzegorz Zajcew",
        "Grigory Zaitsev",
    ],
    [
        "Фёдор Шаляпин",
        "Fyodor Shalyapin",
        "Fëdor Šaljapin",
        "Fjodor Schaljapin",
        "Fédor Chaliapine",
        "Fiodor Szalapin",
        "Feodor Chaliapin",
    ],
    [
        "Алексей Кириллов",
        "Aleksey Kirillov",
        "Aleksej Kirillov",
        "Alexej Kirillow",
        "Alexis Kirillov",
        "Alexei Kirilov",
    ],
    [
        "Татьяна Соколова",
        "Tatyana Sokolova",
        "Tat'jana Sokolova",
        "Tatjana Sokolowa",
        "Tatiana Sokolova",
    ],
    ["Илья Воронцов", "Ilya Vorontsov", "Il'ja Voroncov", "Ilja Woronzow", "Ilia Vorontsov"],
    [
        "Вячеслав Медведев",
        "Vyacheslav Medvedev",
        "Vjačeslav Medvedev",
        "Wjatscheslaw Medwedew",
        "Viatcheslav Medvedev",
        "Wiaczesław Miedwiediew",
    ],
    [
        "Ксения Егорова",
        "Kseniya Yegorova",
        "Ksenija Egorova",
        "Xenia Jegorowa",
        "Ksenia Egorova",
        "Kseniia Yegorova",
    ],
    # Ukrainian: original, national (2010), BGN/PCGN, German, French, Polish, Russian form
    [
        "Олександр Коваленко",
        "Oleksandr Kovalenko",
        "Oleksandr Kowalenko",
        "Oleksandre Kovalenko",
        "Ołeksandr Kowałenko",
        "Aleksandr Kovalenko",
    ],
    [
        "Юлія Ткаченко",
        "Yuliia Tkachenko",
        "Yuliya Tkachenko",
        "Julija Tkatschenko",
        "Ioulia Tkatchenko",
        "Julia Tkaczenko",
    ],
    [
        "Андрій Шевчук",
        "Andrii Shevchuk",
        "Andriy Shevchuk",
        "Andrij Schewtschuk",
        "Andriï Chevtchouk",
        "Andrij Szewczuk",
    ],
    [
        "Володимир Гончаренко",
        "Volodymyr Honcharenko",
        "Wolodymyr Hontscharenko",
        "Volodymyr Gontcharenko",
        "Wołodymyr Honczarenko",
        "Vladimir Goncharenko",
    ],
    [
        "Олег Бондаренко",
        "Oleh Bondarenko",
        "Oleg Bondarenko",
        "Oleh Bondarenko",
        "Oleg Bondarenko",
        "Ołeh Bondarenko",
    ],
    [
        "Сергій Мельник",
        "Serhii Melnyk",
        "Serhiy Melnyk",
        "Serhij Melnyk",
        "Sergueï Melnyk",
        "Sergei Melnik",
    ],
    ["Тарас Кравчук", "Taras Kravchuk", "Taras Krawtschuk", "Taras Kravtchouk", "Taras Krawczuk"],
    # Belarusian
    [
        "Аляксандр Лукашэвіч",
        "Aliaksandr Lukashevich",
        "Aljaksandr Lukaschewitsch",
        "Aleksandr Lukashevich",
        "Alaksandr Łukaszewicz",
    ],
    # Bulgarian: original, official (2009), BGN older, German, French, Polish
    [
        "Христо Стоичков",
        "Hristo Stoichkov",
        "Khristo Stoichkov",
        "Christo Stoitschkow",
        "Hristo Stoïtchkov",
        "Christo Stojczkow",
    ],
    [
        "Стефан Георгиев",
        "Stefan Georgiev",
        "Stefan Georgiew",
        "Stefan Guéorguiev",
        "Stefan Gieorgijew",
    ],
    ["Цветан Тодоров", "Tsvetan Todorov", "Cvetan Todorov", "Zwetan Todorow", "Tzvetan Todorov"],
    [
        "Живко Желязков",
        "Zhivko Zhelyazkov",
        "Živko Željazkov",
        "Schiwko Scheljaskow",
        "Jivko Jeliazkov",
    ],
    # Serbian / Macedonian
    [
        "Новак Ђорђевић",
        "Novak Đorđević",
        "Novak Djordjevic",
        "Novak Djordjevitch",
        "Nowak Dżordżewić",
        "Novak Dordevic",
    ],
    [
        "Драган Јовановић",
        "Dragan Jovanović",
        "Dragan Jovanovic",
        "Dragan Jovanovitch",
        "Dragan Jowanowitsch",
    ],
    [
        "Милица Петровић",
        "Milica Petrović",
        "Milica Petrovic",
        "Militsa Petrovich",
        "Milica Petrowitsch",
    ],
    ["Жељко Ћосић", "Željko Ćosić", "Zeljko Cosic", "Zheljko Chosich", "Zeljko Cossic"],
    ["Горан Стојановски", "Goran Stojanovski", "Goran Stoyanovski", "Goran Stojanowski"],
    # Greek: original, ELOT 743, phonetic / older English, German
    [
        "Γεώργιος Παπαδόπουλος",
        "Georgios Papadopoulos",
        "Yorgos Papadopoulos",
        "Giorgos Papadopoulos",
        "Jorgos Papadopulos",
        "Georgios Papadopulos",
    ],
    [
        "Κωνσταντίνος Καραγιάννης",
        "Konstantinos Karagiannis",
        "Konstantinos Karayannis",
        "Constantinos Karagiannis",
        "Konstantinos Karajannis",
    ],
    [
        "Δημήτριος Οικονόμου",
        "Dimitrios Oikonomou",
        "Dimitrios Ikonomou",
        "Demetrios Economou",
        "Dimitrios Ekonomou",
    ],
    [
        "Αικατερίνη Νικολαΐδου",
        "Aikaterini Nikolaidou",
        "Ekaterini Nikolaidou",
        "Aikaterini Nikolaidu",
        "Ekaterini Nicolaidou",
    ],
    [
        "Ευάγγελος Χατζηγεωργίου",
        "Evangelos Chatzigeorgiou",
        "Evangelos Hatzigeorgiou",
        "Evangelos Hadjigeorgiou",
        "Evangelos Chatzigeorgiu",
    ],
    [
        "Θεόδωρος Βασιλείου",
        "Theodoros Vasileiou",
        "Theodoros Vassiliou",
        "Theodoros Wassiliou",
        "Thodoros Vasiliou",
    ],
    [
        "Παναγιώτης Σταυρόπουλος",
        "Panagiotis Stavropoulos",
        "Panayiotis Stavropoulos",
        "Panajotis Stawropoulos",
        "Panagiotis Stavropulos",
    ],
    # Arabic: original, common English, French, German, academic
    [
        "محمد عبد الله",
        "Mohammed Abdullah",
        "Muhammad Abdallah",
        "Mohamed Abdellah",
        "Mohamad Abdulla",
        "Mohammad Abdullah",
    ],
    [
        "أحمد حسين",
        "Ahmed Hussein",
        "Ahmad Husain",
        "Ahmed Hussain",
        "Achmed Hussein",
        "Ahmad Husayn",
    ],
    [
        "يوسف الحسن",
        "Youssef Al-Hassan",
        "Yusuf al-Hasan",
        "Yousef Alhassan",
        "Jussuf al-Hassan",
        "Youssef El Hassan",
    ],
    ["عمر الشريف", "Omar Al-Sharif", "Umar al-Sharif", "Omar El-Sharif", "Omar Alsharif"],
    [
        "خالد المنصور",
        "Khaled Al-Mansour",
        "Khalid al-Mansur",
        "Chalid al-Mansur",
        "Khaled El Mansour",
        "Khalid Almansour",
    ],
    [
        "عبد الرحمن القاسم",
        "Abdul Rahman Al-Qasim",
        "Abd al-Rahman al-Qasim",
        "Abdelrahman El Kassem",
        "Abdulrahman Alqasim",
        "Abdurrahman al-Kasim",
    ],
    [
        "فاطمة الزهراء حداد",
        "Fatima Al-Zahra Haddad",
        "Fatimah al-Zahra Haddad",
        "Fatma Zahra Haddad",
        "Fatima Ezzahra Haddad",
    ],
    [
        "مصطفى النجار",
        "Mustafa Al-Najjar",
        "Moustafa El Naggar",
        "Mostafa Al-Najjar",
        "Mustapha Najjar",
        "Mustafa an-Naddschar",
    ],
    ["صالح العمري", "Saleh Al-Omari", "Salih al-Umari", "Saleh Alomari", "Salah El Omari"],
    ["حسن الشامي", "Hassan Al-Shami", "Hasan al-Shami", "Hassan El Chami", "Hasan Ash-Shami"],
    ["إبراهيم خليل", "Ibrahim Khalil", "Ebrahim Khalil", "Ibrahim Chalil", "Brahim Khalil"],
    [
        "جمال الدين عثمان",
        "Jamal al-Din Othman",
        "Gamal Eldin Osman",
        "Djamal Eddine Othmane",
        "Jamaluddin Uthman",
    ],
    # Persian, Hebrew, Armenian, Georgian, Turkic
    [
        "Mohammad Reza Hosseini",
        "Mohammadreza Hosseini",
        "Mohammad-Reza Hoseini",
        "Muhammad Riza Husseini",
    ],
    ["Yosef Cohen", "Josef Cohen", "Yossef Kohen", "Iosif Kogan"],
    [
        "Հովհաննես Պետրոսյան",
        "Hovhannes Petrosyan",
        "Ovanes Petrosian",
        "Hovannes Petrossian",
        "Owanes Petrosjan",
    ],
    ["გიორგი ბერიძე", "Giorgi Beridze", "Georgi Beridse", "Guiorgui Béridzé"],
    [
        "Нурсултан Жумабаев",
        "Nursultan Zhumabayev",
        "Nursultan Jumabaev",
        "Nursultan Schumabajew",
        "Nursultan Dzhumabaev",
    ],
    [
        "Шавкат Рахимов",
        "Shavkat Rakhimov",
        "Shavkat Rahimov",
        "Schawkat Rachimow",
        "Chavkat Rakhimov",
    ],
    # Chinese: characters, pinyin, Wade-Giles, both word orders
    ["张伟", "Zhang Wei", "Chang Wei", "Wei Zhang"],
    ["刘晓明", "Liu Xiaoming", "Liu Hsiao-ming", "Xiaoming Liu", "Liu Xiao Ming"],
    ["许志强", "Xu Zhiqiang", "Hsu Chih-chiang", "Zhiqiang Xu", "Xu Zhi Qiang"],
    ["周建国", "Zhou Jianguo", "Chou Chien-kuo", "Jianguo Zhou"],
    # Korean: Revised Romanisation, McCune-Reischauer, passport practice
    ["Park Ji-sung", "Bak Ji-seong", "Pak Chi-sŏng", "Park Jisung"],
    ["Choi Min-ho", "Choe Min-ho", "Ch'oe Min-ho", "Choi Minho"],
    ["Lee Seung-hoon", "Yi Seung-hun", "Rhee Seung-hoon", "Lee Seunghoon"],
    # Latin-script names that travel between languages
    ["Tchaikovsky Pyotr", "Czajkowski Piotr", "Tschaikowski Pjotr"],
    [
        "Wojciech Szczepański",
        "Wojciech Szczepanski",
        "Voytsekh Shchepanskiy",
        "Wojciech Sczepanski",
    ],
    [
        "Krzysztof Wróblewski",
        "Krzysztof Wroblewski",
        "Kshishtof Vrublevsky",
        "Krzysztof Wroblewsky",
    ],
]

# ------------------------------------------------------------------ diacritics
# The name as written, and as a system without the letters writes it: stripped, or with
# the German (ae/oe/ue), Scandinavian (aa/oe) or Icelandic (th/dh) digraphs.
DIACRITICS: list[list[str]] = [
    ["Łukasz Wiśniewski", "Lukasz Wisniewski"],
    ["Małgorzata Dąbrowska", "Malgorzata Dabrowska"],
    ["Paweł Wójcik", "Pawel Wojcik"],
    ["Grzegorz Brzęczyszczykiewicz", "Grzegorz Brzeczyszczykiewicz"],
    ["Zbigniew Łęcki", "Zbigniew Lecki"],
    ["Agnieszka Żółkiewska", "Agnieszka Zolkiewska"],
    ["Jiří Dvořák", "Jiri Dvorak"],
    ["Tomáš Černý", "Tomas Cerny"],
    ["Přemysl Šťastný", "Premysl Stastny"],
    ["Kateřina Horáčková", "Katerina Horackova"],
    ["Ľubomír Ďuriš", "Lubomir Duris"],
    ["Gergő Szőke", "Gergo Szoke", "Gergoe Szoeke"],
    ["Ádám Kovács", "Adam Kovacs"],
    ["Erzsébet Tóth", "Erzsebet Toth"],
    ["Zoltán Varga-Fehér", "Zoltan Varga-Feher"],
    ["Ayşe Öztürk", "Ayse Ozturk", "Ayse Oeztuerk"],
    ["Çağlar Şahin", "Caglar Sahin"],
    ["Gökhan Güneş", "Gokhan Gunes", "Goekhan Guenes"],
    ["İsmail Yıldırım", "Ismail Yildirim"],
    ["Mehmet Ağaoğlu", "Mehmet Agaoglu"],
    ["Søren Ødegård", "Soren Odegard", "Soeren Oedegaard"],
    ["Åsa Löfgren", "Asa Lofgren", "Aasa Loefgren"],
    ["Bjørn Hæstad", "Bjorn Haestad", "Bjoern Haestad"],
    ["Jörg Müller", "Jorg Muller", "Joerg Mueller"],
    ["Günther Schäfer", "Gunther Schafer", "Guenther Schaefer"],
    ["Jürgen Weiß", "Jurgen Weiss", "Juergen Weiss"],
    ["Ştefan Constantinescu", "Stefan Constantinescu"],
    ["Mihaela Țăranu", "Mihaela Taranu"],
    ["Ioan Brătianu", "Ioan Bratianu"],
    ["Nguyễn Văn Thắng", "Nguyen Van Thang"],
    ["Trần Thị Hương", "Tran Thi Huong"],
    ["Phạm Minh Đức", "Pham Minh Duc"],
    ["Đặng Quốc Bảo", "Dang Quoc Bao"],
    ["Lê Thị Ánh Tuyết", "Le Thi Anh Tuyet"],
    ["François Lefèvre", "Francois Lefevre"],
    ["Hélène Gérard-Béziers", "Helene Gerard-Beziers"],
    ["José Ramón Núñez", "Jose Ramon Nunez"],
    ["Iñaki Etxeberría", "Inaki Etxeberria"],
    ["João Gonçalves", "Joao Goncalves"],
    ["Þór Guðmundsson", "Thor Gudmundsson", "Thor Gudhmundsson"],
    ["Ģirts Bērziņš", "Girts Berzins"],
    ["Žydrūnas Kavaliauskas", "Zydrunas Kavaliauskas"],
    ["Dženana Hadžić", "Dzenana Hadzic"],
    ["Tõnu Õunapuu", "Tonu Ounapuu"],
]

# ------------------------------------------------------------------ base names for typos
# and reorderings (Latin-script full names of many origins)
BASE_PERSONS: list[str] = [
    "Aleksandr Volkov",
    "Irina Morozova",
    "Viktor Pavlenko",
    "Oksana Lysenko",
    "Piotr Nowicki",
    "Agnieszka Kaczmarek",
    "Tomasz Zielinski",
    "Jan Kowalczyk",
    "Martin Horvath",
    "Katarina Novakova",
    "Peter Schneider",
    "Sabine Hoffmann",
    "Klaus Richter",
    "Johannes van der Berg",
    "Pieter de Jong",
    "Marie Dubois",
    "Philippe Moreau",
    "Giuseppe Esposito",
    "Francesca Romano",
    "Alessandro Ricci",
    "Carlos Fernandez",
    "Lucia Martinez",
    "Miguel Rodriguez",
    "Ana Pereira",
    "Joao Oliveira",
    "Georgios Nikolaidis",
    "Eleni Papadaki",
    "Mehmet Yilmaz",
    "Fatma Demir",
    "Emre Celik",
    "Mohammed Al-Rashid",
    "Khalid Bensaid",
    "Youssef Benali",
    "Amina Haddad",
    "Omar Farouk",
    "Rahul Sharma",
    "Priya Patel",
    "Arjun Reddy",
    "Chen Jianhua",
    "Wang Fang",
    "Li Na",
    "Nguyen Thi Lan",
    "Tran Van Minh",
    "Kim Min-jun",
    "Sato Hiroshi",
    "Tanaka Yuki",
    "Juan Carlos Herrera",
    "Maria Jose Castillo",
    "Andrei Popescu",
    "Ioana Dumitrescu",
    "Nikola Petrovic",
    "Dragana Markovic",
    "Ivan Horvat",
    "Marko Kovacevic",
    "Lars Andersson",
    "Ingrid Johansson",
    "Mikkel Nielsen",
    "Sean O'Brien",
    "Siobhan Murphy",
    "Dmitri Sokolov",
    "Svetlana Kozlova",
    "Hassan Mahmoud",
    "Layla Abboud",
    "Tariq Aziz Qureshi",
    "Samuel Okafor",
    "Chinedu Eze",
    "Kwame Mensah",
    "Abebe Tesfaye",
    "Arash Rahimi",
    "Leila Karimi",
    "Yaakov Levy",
    "Vardan Grigoryan",
    "Levan Kapanadze",
    "Aigerim Nurlanovna",
    "Timur Sadykov",
]

# Reordering with a middle name or a second surname that one side leaves out.
MIDDLE_NAMES: list[tuple[str, str]] = [
    ("Aleksandr Sergeyevich Volkov", "Aleksandr Volkov"),
    ("Irina Viktorovna Morozova", "Irina Morozova"),
    ("Juan Carlos Herrera Lopez", "Juan Carlos Herrera"),
    ("Maria Jose Castillo Ruiz", "Maria Castillo Ruiz"),
    ("Joao Pedro Oliveira Santos", "Joao Oliveira Santos"),
    ("Mohammed Ali Al-Rashid", "Mohammed Al-Rashid"),
    ("Tariq Aziz Qureshi", "Tariq Qureshi"),
    ("Johann Sebastian Bachmann", "Johann Bachmann"),
    ("Anna Maria Kowalska", "Anna Kowalska"),
    ("Jean-Pierre Moreau", "Jean Pierre Moreau"),
    ("Hans-Peter Schneider", "Hans Peter Schneider"),
    ("Nguyen Thi Lan", "Nguyen Lan"),
    ("Dmitri Ivanovich Sokolov", "Dmitri Sokolov"),
    ("Svetlana Petrovna Kozlova", "Kozlova Svetlana Petrovna"),
    ("Ahmed Hassan Mahmoud", "Ahmed Mahmoud"),
    ("Mary Elizabeth O'Connor", "Mary O'Connor"),
]

# ------------------------------------------------------------------ aliases
# An alert with aliases, maiden or former names (separated by " | "), and a candidate that
# is one of them, spelled as a declaration would.
ALIASES: list[tuple[str, str, int]] = [
    ("Anna Kowalska | Anna Nowak", "Anna Nowak", 1),
    ("Anna Kowalska | Anna Nowak", "NOWAK Anna", 1),
    ("Maria Schmidt | Maria Becker", "Maria Becker", 1),
    ("Elena Popescu | Elena Ionescu", "Elena Ionescu", 1),
    ("Olga Sidorova | Olga Kuznetsova", "Olga Kusnezowa", 1),
    ("Ivan Petrenko | Vanya Petrenko | Ivan Petrenko-Sokil", "Vanya Petrenko", 1),
    ("Abu Omar | Omar Al-Masri", "Omar El Masri", 1),
    ("Kostas Georgiou | Konstantinos Georgiou", "Konstantinos Georgiou", 1),
    ("Kostas Georgiou | Konstantinos Georgiou", "Kostas Georgiu", 1),
    ("Sasha Belov | Aleksandr Belov", "Alexander Belov", 1),
    ("Jimmy Chen | Chen Jiming", "Jiming Chen", 1),
    ("Jimmy Chen | Chen Jiming", "Jimmy Chen", 1),
    ("Sophie Martin | Sophie Durand-Martin", "Sophie Durand Martin", 1),
    ("Hannah Weber | Hannah Weber-Klein | Hannah Klein", "Hannah Klein", 1),
    ("Yusuf Demir | Joseph Demir", "Joseph Demir", 1),
    ("Ali Rezaei | Ali Rezai", "Ali Rezai", 1),
    ("Bogdan Marin | Bogdan Marinescu", "Bogdan Marinescu", 1),
    ("Svetlana Orlova | Lana Orlova", "Lana Orlowa", 1),
    ("Katarzyna Zielinska | Kasia Zielinska", "Kasia Zielinska", 1),
    ("Li Wei | Lee Wai", "Lee Wai", 1),
    ("Ahmed Karimi | Abu Bakr Karimi", "Abu Bakr Karimi", 1),
    ("Pierre Lambert | Pierre Lambert-Roux", "Pierre Lambert Roux", 1),
    ("Nikos Pappas | Nikolaos Pappas", "Nikolaos Papas", 1),
    ("Gulnara Ismailova | Gulnara Karimova", "Gulnara Karimowa", 1),
    ("Rosa Delgado | Rosa Delgado de Vega", "Rosa Delgado de Vega", 1),
    ("Anna Kowalska | Anna Nowak", "Anna Kowalczyk", 0),
    ("Anna Kowalska | Anna Nowak", "Hanna Nowicka", 0),
    ("Maria Schmidt | Maria Becker", "Mario Becker", 0),
    ("Elena Popescu | Elena Ionescu", "Elena Iordache", 0),
    ("Olga Sidorova | Olga Kuznetsova", "Olga Kuzmina", 0),
    ("Kostas Georgiou | Konstantinos Georgiou", "Kostas Georgiadis", 0),
    ("Sasha Belov | Aleksandr Belov", "Aleksei Belyaev", 0),
    ("Jimmy Chen | Chen Jiming", "Jimmy Cheng", 0),
    ("Hannah Weber | Hannah Weber-Klein | Hannah Klein", "Hans Klein", 0),
    ("Bogdan Marin | Bogdan Marinescu", "Bogdan Marinov", 0),
    ("Svetlana Orlova | Lana Orlova", "Svetlana Orekhova", 0),
    ("Katarzyna Zielinska | Kasia Zielinska", "Katarzyna Zalewska", 0),
    ("Yusuf Demir | Joseph Demir", "Yusuf Demirci", 0),
    ("Ali Rezaei | Ali Rezai", "Ali Razavi", 0),
    ("Gulnara Ismailova | Gulnara Karimova", "Gulnara Ismagilova", 0),
]

# ------------------------------------------------------------------ businesses
# Same firm written with and without its legal form, another spelling of the form,
# "&"/"and", diacritics, or in its own script.
BUSINESS_SAME: list[tuple[str, str]] = [
    ("Müller Logistik GmbH", "Mueller Logistik"),
    ("Müller Logistik GmbH", "MULLER LOGISTIK G.M.B.H."),
    ("Hengxin Trading Co., Ltd.", "Hengxin Trading Company Limited"),
    ("Hengxin Trading Co., Ltd.", "HENGXIN TRADING"),
    ("Shenzhen Huarui Electronics Co., Ltd.", "Shenzhen Huarui Electronics Co Ltd"),
    ("Polska Dystrybucja Sp. z o.o.", "Polska Dystrybucja sp. z o. o."),
    ("Polska Dystrybucja Sp. z o.o.", "Polska Dystrybucja"),
    ("ООО «Ромашка»", "OOO Romashka"),
    ("ООО «Ромашка»", "Romashka LLC"),
    ("ТОВ «Дніпро Агро»", "Dnipro Agro LLC"),
    ("ТОВ «Дніпро Агро»", "TOV Dnipro Agro"),
    ("Rossi Forniture S.r.l.", "Rossi Forniture SRL"),
    ("Rossi Forniture S.r.l.", "ROSSI FORNITURE"),
    ("Van Dijk Handelsonderneming B.V.", "van Dijk Handelsonderneming BV"),
    ("Van Dijk Handelsonderneming B.V.", "Handelsonderneming Van Dijk B.V."),
    ("Anadolu Tekstil San. ve Tic. A.Ş.", "Anadolu Tekstil Sanayi ve Ticaret AS"),
    ("Anadolu Tekstil San. ve Tic. A.Ş.", "Anadolu Tekstil"),
    ("Smith & Sons Ltd", "Smith and Sons Limited"),
    ("Smith & Sons Ltd", "SMITH & SONS"),
    ("Al Noor General Trading LLC", "Al-Noor General Trading L.L.C."),
    ("Al Noor General Trading LLC", "Al Nour General Trading"),
    ("Sahara Industries FZE", "Sahara Industries F.Z.E."),
    ("Société Générale d'Import SARL", "Societe Generale d Import"),
    ("Société Générale d'Import SARL", "Ste Generale d'Import S.A.R.L."),
    ("Dvořák Obchod s.r.o.", "Dvorak Obchod spol. s r.o."),
    ("Nordfjord Seafood AS", "Nordfjord Seafood A/S"),
    ("Karlsson Handel AB", "Karlsson Handel Aktiebolag"),
    ("Hanil Trading Co., Ltd.", "Hanil Trading Co Ltd"),
    ("Minh Phat Garment Joint Stock Company", "Minh Phat Garment JSC"),
    ("Minh Phát Garment JSC", "Minh Phat Garment"),
    ("PT Nusantara Manufacturing", "Nusantara Manufacturing PT"),
    ("PT Nusantara Manufacturing", "P.T. Nusantara Manufacturing"),
    ("Kawasaki Shoji K.K.", "Kawasaki Shoji Kabushiki Kaisha"),
    ("Agroexportadora del Pacífico S.A.", "Agroexportadora del Pacifico SA"),
    ("Serra Alta Agroindustrial Ltda.", "Serra Alta Agroindustrial Ltda"),
    ("Helvetia Pharma AG", "HELVETIA PHARMA"),
    ("Jansen Trading B.V.", "Jansen Trading"),
    ("Ferreira Comércio Lda.", "Ferreira Comercio Lda"),
    ("Golden Harvest Sdn. Bhd.", "Golden Harvest Sdn Bhd"),
    ("Blue Ridge Manufacturing Inc.", "Blue Ridge Manufacturing Incorporated"),
    ("Kovács és Társa Kft.", "Kovacs es Tarsa Kft"),
    ("Cordillera Export S.A.S.", "Cordillera Export SAS"),
    ("Ege Gıda Dış Ticaret Ltd. Şti.", "Ege Gida Dis Ticaret Ltd Sti"),
    ("Volyn Export LLC", "Volyn Eksport LLC"),
    ("Sumadija Trade d.o.o.", "Šumadija Trejd d.o.o."),
    ("Papadakis Emporiki S.A.", "Papadakis Emporiki A.E."),
    ("Pacific Supply LLC", "Pacific Supply L.L.C."),
    ("Baisheng Textile Co., Ltd.", "Bai Sheng Textile Co Ltd"),
    ("Mekong Export Co., Ltd.", "MEKONG EXPORT CO. LTD"),
    ("Delta Industries S.A.E.", "Delta Industries SAE"),
]

# Different firms: another stem with the same trade words and legal form, or a stem one or
# two letters away that is another name.
BUSINESS_DIFFERENT: list[tuple[str, str]] = [
    ("Müller Logistik GmbH", "Möller Logistik AG"),
    ("Müller GmbH", "Möller AG"),
    ("Hengxin Trading Co., Ltd.", "Hengda Trading Co., Ltd."),
    ("Hengxin Trading Co., Ltd.", "Jiahe Trading Co., Ltd."),
    ("Hanil Trading Co., Ltd.", "Hanbit Trading Co., Ltd."),
    ("Polska Dystrybucja Sp. z o.o.", "Polska Handel Sp. z o.o."),
    ("Rossi Forniture S.r.l.", "Russo Forniture S.r.l."),
    ("Rossi Forniture S.r.l.", "Rossi Distribuzione S.r.l."),
    ("Al Noor General Trading LLC", "Al Safwa General Trading LLC"),
    ("Al Noor General Trading LLC", "Al Nasr General Trading LLC"),
    ("Sahara Industries FZE", "Samara Industries FZE"),
    ("Nordfjord Seafood AS", "Nordhav Seafood AS"),
    ("Karlsson Handel AB", "Karlstad Handel AB"),
    ("Jansen Trading B.V.", "Hansen Trading B.V."),
    ("Jansen Trading B.V.", "Janssen Transport B.V."),
    ("Ferreira Comércio Lda.", "Pereira Comércio Lda."),
    ("Anadolu Tekstil San. ve Tic. A.Ş.", "Anadolu Otomotiv San. ve Tic. A.Ş."),
    ("Smith & Sons Ltd", "Smithson Ltd"),
    ("Mekong Export Co., Ltd.", "Mekong Garment Co., Ltd."),
    ("Golden Harvest Sdn. Bhd.", "Golden Heritage Sdn. Bhd."),
    ("Blue Ridge Manufacturing Inc.", "Blue River Manufacturing Inc."),
    ("Helvetia Pharma AG", "Helvetia Uhren AG"),
    ("Pacific Supply LLC", "Atlantic Supply LLC"),
    ("Dvořák Obchod s.r.o.", "Dvorský Obchod s.r.o."),
    ("Kawasaki Shoji K.K.", "Kawashima Shoji K.K."),
    ("Cordillera Export S.A.S.", "Costa Verde Export S.A.S."),
    ("Minh Phat Garment JSC", "Minh Anh Garment JSC"),
    ("Baisheng Textile Co., Ltd.", "Baifeng Textile Co., Ltd."),
    ("Volyn Export LLC", "Volga Export LLC"),
    ("Delta Industries S.A.E.", "Delta Trading S.A.E."),
    ("Shenzhen Huarui Electronics Co., Ltd.", "Shenzhen Huawei Electronics Co., Ltd."),
    ("Papadakis Emporiki S.A.", "Papadopoulos Emporiki S.A."),
    ("Serra Alta Agroindustrial Ltda.", "Serra Azul Agroindustrial Ltda."),
    ("Van Dijk Handelsonderneming B.V.", "Van Dam Handelsonderneming B.V."),
    ("Société Générale d'Import SARL", "Société Nouvelle d'Import SARL"),
]

# A person alert and a business carrying the same words: different subjects when both
# sides say which kind they are.
PERSON_VS_BUSINESS: list[tuple[str, str]] = [
    ("Maria Rossi", "Maria Rossi S.r.l."),
    ("Pieter Jansen", "Pieter Jansen Transport B.V."),
    ("Hans Müller", "Hans Müller GmbH"),
    ("Ahmed Haddad", "Ahmed Haddad General Trading LLC"),
    ("Jan Nowak", "Jan Nowak Sp. z o.o."),
    ("Georgios Papadakis", "Georgios Papadakis S.A."),
    ("Mehmet Yilmaz", "Mehmet Yilmaz Tekstil Ltd. Şti."),
    ("Wang Fang", "Wang Fang Trading Co., Ltd."),
    ("Lars Karlsson", "Lars Karlsson AB"),
    ("Carlos Fernandez", "Carlos Fernandez S.L."),
]

# ------------------------------------------------------------------ look-alikes
# Different people: (alert, candidate).
LOOKALIKES: list[tuple[str, str]] = [
    # same surname, another forename
    ("Ivan Petrov", "Pavel Petrov"),
    ("Aleksandr Volkov", "Aleksei Volkov"),
    ("Sergei Ivanov", "Semyon Ivanov"),
    ("Dmitri Sokolov", "Denis Sokolov"),
    ("Mikhail Orlov", "Maksim Orlov"),
    ("Yuri Smirnov", "Yaroslav Smirnov"),
    ("Olga Morozova", "Oksana Morozova"),
    ("Natalia Lebedeva", "Nadezhda Lebedeva"),
    ("Maria Kowalska", "Marta Kowalska"),
    ("Piotr Nowak", "Pawel Nowak"),
    ("Tomasz Wojcik", "Tadeusz Wojcik"),
    ("Krzysztof Lewandowski", "Krystian Lewandowski"),
    ("Marek Kaminski", "Marcin Kaminski"),
    ("Andrzej Zielinski", "Adam Zielinski"),
    ("Jiri Dvorak", "Jaroslav Dvorak"),
    ("Petr Novak", "Pavel Novak"),
    ("Mohammed Hassan", "Mahmoud Hassan"),
    ("Ahmed Khalil", "Hamed Khalil"),
    ("Omar Haddad", "Amr Haddad"),
    ("Khaled Mansour", "Khalil Mansour"),
    ("Youssef Benali", "Younes Benali"),
    ("Said Al-Amri", "Saad Al-Amri"),
    ("Georgios Papadopoulos", "Grigorios Papadopoulos"),
    ("Dimitrios Oikonomou", "Dionysios Oikonomou"),
    ("Nikolaos Pappas", "Nikitas Pappas"),
    ("Mehmet Yilmaz", "Mahmut Yilmaz"),
    ("Mustafa Demir", "Murat Demir"),
    ("Emre Celik", "Emir Celik"),
    ("Ayse Kaya", "Aysel Kaya"),
    ("Zeynep Arslan", "Zehra Arslan"),
    ("Zhang Wei", "Zhang Wen"),
    ("Liu Yang", "Liu Ying"),
    ("Wang Jun", "Wang Jian"),
    ("Kim Min-jun", "Kim Min-jae"),
    ("Lee Ji-ho", "Lee Ji-hoon"),
    ("Nguyen Van Thanh", "Nguyen Van Thao"),
    ("Tran Minh Hung", "Tran Minh Hang"),
    ("Lukas Weber", "Lars Weber"),
    ("Felix Becker", "Fabian Becker"),
    ("Jonas Fischer", "Tobias Fischer"),
    ("Klaus Richter", "Karl Richter"),
    ("Philippe Moreau", "Pascal Moreau"),
    ("Gabriel Martin", "Gaspard Martin"),
    ("Giuseppe Rossi", "Giovanni Rossi"),
    ("Francesco Romano", "Federico Romano"),
    ("Carlos Garcia", "Cesar Garcia"),
    ("Miguel Fernandez", "Manuel Fernandez"),
    ("Joao Silva", "Jose Silva"),
    ("Lars Andersson", "Leif Andersson"),
    ("Rahul Sharma", "Rohit Sharma"),
    ("Priya Patel", "Pooja Patel"),
    ("Ivan Horvat", "Igor Horvat"),
    ("Nikola Petrovic", "Nenad Petrovic"),
    ("Andrei Popescu", "Adrian Popescu"),
    ("Ioana Dumitrescu", "Ileana Dumitrescu"),
    ("Hovhannes Petrosyan", "Hayk Petrosyan"),
    ("Giorgi Beridze", "Gela Beridze"),
    ("Sean Murphy", "Shane Murphy"),
    ("Samuel Okafor", "Solomon Okafor"),
    ("Vladimir Kuznetsov", "Vsevolod Kuznetsov"),
    ("Anatoly Belov", "Arkady Belov"),
    ("Viktor Pavlenko", "Vitaliy Pavlenko"),
    ("Oleksandr Bondarenko", "Oleksiy Bondarenko"),
    ("Hassan Mahmoud", "Hussein Mahmoud"),
    ("Ali Rezaei", "Reza Rezaei"),
    # same forename, a different surname close in spelling
    ("Anna Kowalska", "Anna Kowalczyk"),
    ("Jan Nowak", "Jan Nowicki"),
    ("Ivan Petrov", "Ivan Petrenko"),
    ("Sergei Ivanov", "Sergei Ivanenko"),
    ("Hans Müller", "Hans Möller"),
    ("Peter Schmidt", "Peter Schmitz"),
    ("Peter Hansen", "Peter Jansen"),
    ("Karl Jensen", "Karl Hansen"),
    ("Marco Rossi", "Marco Russo"),
    ("Luca Ricci", "Luca Rizzi"),
    ("Paolo Bianchi", "Paolo Bianco"),
    ("Antonio Ferrari", "Antonio Ferrara"),
    ("Ana Pereira", "Ana Ferreira"),
    ("Luis Costa", "Luis Acosta"),
    ("Pierre Martin", "Pierre Marin"),
    ("Jean Bernard", "Jean Bertrand"),
    ("Julien Dubois", "Julien Dupuis"),
    ("Claire Petit", "Claire Petiot"),
    ("Tomas Novak", "Tomas Novotny"),
    ("Jakub Dvorak", "Jakub Dvorsky"),
    ("Stefan Wagner", "Stefan Wegner"),
    ("Michael Schneider", "Michael Schreiner"),
    ("Thomas Hoffmann", "Thomas Hofmeister"),
    ("Georgios Papadopoulos", "Georgios Papadakis"),
    ("Eleni Georgiou", "Eleni Georgiadou"),
    ("Nikos Nikolaidis", "Nikos Nikolaou"),
    ("Dimitris Dimitriou", "Dimitris Dimitriadis"),
    ("Ahmed Hassan", "Ahmed Hussein"),
    ("Mohammed Ali", "Mohammed Alawi"),
    ("Omar Haddad", "Omar Hamdan"),
    ("Youssef Khalil", "Youssef Khalid"),
    ("Mehmet Yilmaz", "Mehmet Yildiz"),
    ("Ali Demir", "Ali Demirci"),
    ("Emre Kaya", "Emre Kaplan"),
    ("Murat Celik", "Murat Cetin"),
    ("Olga Smirnova", "Olga Smirnitskaya"),
    ("Andrei Popov", "Andrei Popa"),
    ("Igor Sokolov", "Igor Sobolev"),
    ("Dmitri Kuznetsov", "Dmitri Kuzmin"),
    ("Pavel Morozov", "Pavel Morozenko"),
    ("Nikolai Lebedev", "Nikolai Lebedinsky"),
    ("Roman Kozlov", "Roman Kozlowski"),
    ("Anton Pavlov", "Anton Pavlenko"),
    ("Zhang Wei", "Zheng Wei"),
    ("Liu Yang", "Lu Yang"),
    ("Zhao Lei", "Zhou Lei"),
    ("Wu Hua", "Xu Hua"),
    ("Sun Li", "Song Li"),
    ("Lin Feng", "Liang Feng"),
    ("Kim Ji-woo", "Kang Ji-woo"),
    ("Choi Min-ho", "Cho Min-ho"),
    ("Pham Van Long", "Phan Van Long"),
    ("Tran Thi Mai", "Tram Thi Mai"),
    ("Erik Larsson", "Erik Carlsson"),
    ("Ingrid Nilsson", "Ingrid Olsson"),
    ("Mikkel Pedersen", "Mikkel Petersen"),
    ("Raj Kumar", "Raj Kumari"),
    ("Vikram Singh", "Vikram Sinha"),
    # the other sex of the same family name
    ("Ivan Petrov", "Ivana Petrova"),
    ("Jan Nowak", "Jana Nowak"),
    ("Paul Weber", "Paula Weber"),
    ("Ioannis Pappas", "Ioanna Pappa"),
    ("Aleksandr Volkov", "Aleksandra Volkova"),
    # businesses
    ("Dnipro Agro LLC", "Dnipro Trade LLC"),
    ("Polesie Trade OOO", "Belagro OOO"),
]

# Forename pools for generated look-alikes (same surname, another forename of the culture).
FORENAMES: dict[str, list[str]] = {
    "ru": [
        "Ivan",
        "Pavel",
        "Sergei",
        "Nikolai",
        "Andrei",
        "Boris",
        "Gennady",
        "Leonid",
        "Roman",
        "Oleg",
        "Stanislav",
        "Vadim",
        "Kirill",
        "Anton",
    ],
    "pl": ["Jan", "Piotr", "Marek", "Tomasz", "Jakub", "Michal", "Rafal", "Wojciech", "Kamil"],
    "de": ["Lukas", "Jonas", "Felix", "Paul", "Maximilian", "Stefan", "Dieter", "Uwe", "Jens"],
    "ar": ["Mohammed", "Ahmed", "Omar", "Khaled", "Youssef", "Tarek", "Walid", "Nabil", "Samir"],
    "es": ["Carlos", "Miguel", "Javier", "Alberto", "Diego", "Pablo", "Sergio", "Raul"],
    "tr": ["Mehmet", "Mustafa", "Emre", "Burak", "Kemal", "Serkan", "Hakan", "Volkan"],
}
SURNAMES_BY_CULTURE: dict[str, list[str]] = {
    "ru": ["Petrov", "Volkov", "Sokolov", "Morozov", "Lebedev", "Kozlov", "Novikov", "Fedorov"],
    "pl": ["Kowalski", "Wisniewski", "Wojcik", "Kaminski", "Lewandowski", "Zielinski"],
    "de": ["Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann"],
    "ar": ["Haddad", "Mansour", "Khalil", "Nasser", "Saleh", "Hamdan", "Qasim"],
    "es": ["Garcia", "Fernandez", "Lopez", "Martinez", "Sanchez", "Romero", "Navarro"],
    "tr": ["Yilmaz", "Kaya", "Demir", "Sahin", "Celik", "Aydin", "Ozdemir", "Arslan"],
}

# ------------------------------------------------------------------ typos
_KEYBOARD = {
    "a": "qwsz",
    "b": "vghn",
    "c": "xdfv",
    "d": "serfcx",
    "e": "wsdr",
    "f": "drtgvc",
    "g": "ftyhbv",
    "h": "gyujnb",
    "i": "ujko",
    "j": "huikmn",
    "k": "jiolm",
    "l": "kop",
    "m": "njk",
    "n": "bhjm",
    "o": "iklp",
    "p": "ol",
    "q": "wa",
    "r": "edft",
    "s": "awedxz",
    "t": "rfgy",
    "u": "yhji",
    "v": "cfgb",
    "w": "qase",
    "x": "zsdc",
    "y": "tghu",
    "z": "asx",
}


def _typo(rng: random.Random, name: str) -> str:
    """One keying error: neighbour key, dropped, doubled or swapped letter."""
    positions = [i for i, ch in enumerate(name) if ch.isalpha() and i > 0]
    i = rng.choice(positions)
    ch = name[i].lower()
    op = rng.choice(("neighbour", "drop", "double", "swap"))
    if op == "neighbour" and ch in _KEYBOARD:
        repl = rng.choice(_KEYBOARD[ch])
        return name[:i] + (repl.upper() if name[i].isupper() else repl) + name[i + 1 :]
    if op == "drop":
        return name[:i] + name[i + 1 :]
    if op == "swap" and i + 1 < len(name) and name[i + 1].isalpha():
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return name[:i] + name[i] + name[i:]


def _reorder(rng: random.Random, name: str) -> str:
    """Surname first, in one of the ways forms and registers write it."""
    parts = name.split()
    surname, given = parts[-1], " ".join(parts[:-1])
    style = rng.choice(("comma", "upper", "plain"))
    if style == "comma":
        return f"{surname}, {given}"
    if style == "upper":
        return f"{surname.upper()} {given}"
    return f"{surname} {given}"


# ------------------------------------------------------------------ assembly


def _pairs(group: list[str], rng: random.Random, limit: int) -> list[tuple[str, str]]:
    pairs = list(itertools.combinations(group, 2))
    rng.shuffle(pairs)
    return pairs[:limit]


def build() -> list[Row]:
    """Every labelled row, in a fixed order (the seed fixes the generated parts)."""
    rng = random.Random(SEED)
    rows: list[Row] = []
    for group in TRANSLITERATION:
        for a, b in _pairs(group, rng, 4):
            rows.append((a, 1, b, 1, "transliteration", 1))
    for group in DIACRITICS:
        for a, b in itertools.combinations(group, 2):
            rows.append((a, 1, b, 1, "diacritics", 1))
    for name in BASE_PERSONS:
        rows.append((name, 1, _typo(rng, name), 1, "typo", 1))
        if rng.random() < 0.5:
            rows.append((name, 1, _typo(rng, _typo(rng, name)), 1, "typo", 1))
    for group in TRANSLITERATION[: len(TRANSLITERATION) // 2]:
        rows.append((group[1], 1, _typo(rng, group[-1]), 1, "typo", 1))
    for name in BASE_PERSONS:
        if len(name.split()) == 2:
            rows.append((name, 1, _reorder(rng, name), 1, "reordering", 1))
    for a, b in MIDDLE_NAMES:
        rows.append((a, 1, b, 1, "reordering", 1))
    for a, b, same in ALIASES:
        rows.append((a, 1, b, 1, "alias", same))
    for a, b in BUSINESS_SAME:
        rows.append((a, 0, b, 0, "business", 1))
    for a, b in BUSINESS_DIFFERENT:
        rows.append((a, 0, b, 0, "business", 0))
    for a, b in PERSON_VS_BUSINESS:
        rows.append((a, 1, b, 0, "business", 0))
    for a, b in LOOKALIKES:
        business = a.endswith(("LLC", "OOO"))
        rows.append((a, 0 if business else 1, b, 0 if business else 1, "lookalike", 0))
    # generated look-alikes: same surname, another forename of the same culture; and the
    # look-alike reordered or with a typo in the surname, as declarations write them
    for culture, forenames in sorted(FORENAMES.items()):
        surnames = SURNAMES_BY_CULTURE[culture]
        for surname, _ in itertools.product(surnames, range(3)):
            first, other = rng.sample(forenames, 2)
            candidate = f"{other} {surname}"
            if rng.random() < 0.3:
                candidate = _reorder(rng, candidate)
            elif rng.random() < 0.3:
                candidate = f"{other} {_typo(rng, surname)}"
            rows.append((f"{first} {surname}", 1, candidate, 1, "lookalike", 0))
    # unrelated: people and firms from different groups
    people = [g[1] for g in TRANSLITERATION] + [g[0] for g in DIACRITICS] + BASE_PERSONS
    firms = [a for a, _ in BUSINESS_SAME]
    for _ in range(100):
        a, b = rng.sample(people, 2)
        rows.append((a, 1, b, 1, "unrelated", 0))
    for _ in range(20):
        a, b = rng.sample(firms, 2)
        if a != b:
            rows.append((a, 0, b, 0, "unrelated", 0))
    seen: set[tuple[str, str]] = set()
    unique: list[Row] = []
    for row in rows:
        if (row[0], row[2]) not in seen and row[0] != row[2]:
            seen.add((row[0], row[2]))
            unique.append(row)
    return unique


def main() -> int:
    rows = build()
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(
            [
                "alert_name",
                "alert_is_person",
                "candidate_name",
                "candidate_is_person",
                "kind",
                "same",
            ]
        )
        writer.writerows(rows)
    negatives = sum(1 for r in rows if r[5] == 0)
    print(f"{OUT.name}: {len(rows)} rows, {negatives} negatives ({negatives / len(rows):.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
