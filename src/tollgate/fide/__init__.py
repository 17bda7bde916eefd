"""FIDE, the customs files identification database: a separate store in which an
investigation service finds which authorities of other Member States investigate, or
investigated, the same person or business (CIS-26..CIS-37).

It shares nothing with the CIS alerts but the keys that seal it: its tables carry no
foreign key out of FIDE and no column that could tie one record to another, an alert or
a declaration (CIS-30). ``subjects`` says what a record may hold and how it is found,
``contraventions`` the lists entries must cite, ``service`` who enters, changes and
queries records, and ``retention`` when they disappear.
"""
