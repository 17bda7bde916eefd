"""The Customs Information System (CIS) and its files identification database (FIDE),
as the Council Decision on the use of IT for customs purposes specifies them
(``../shared/spec/cis.md``, rules CIS-1..CIS-51).

The rules are enforced where data enter and leave: ``categories`` decides what an alert
may hold, ``alerts`` who may change it, ``screening`` and ``hits`` what a declaration
matches, ``retention`` how long it lives, ``fide`` the separate investigation file,
``protection`` the data subjects' rights and ``querylog`` the committee's oversight.
"""
