"""Spanish formats for New Mexico: dates in Spanish, figures as US figures.

Members in New Mexico pay in US dollars and read amounts as ``$1,234.56`` in either
language (the bills print them so), so Spanish keeps the US decimal point and thousands
comma instead of Spain's ``1.234,56``. Dates read ``6 de diciembre de 2026``, short
ones ``6 dic 2026`` (never a bare ``06/12/2026``, which reads two ways).
"""

DATE_FORMAT = r"j \d\e F \d\e Y"
TIME_FORMAT = "g:i a"
DATETIME_FORMAT = r"j \d\e F \d\e Y g:i a"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
# "6 dic 2026" as the bills' tables print it: 06/12/2026 reads as June 12 to a member
# used to US forms, and as 6 December to one used to Mexico's
SHORT_DATE_FORMAT = "j b Y"
SHORT_DATETIME_FORMAT = "j b Y g:i a"
FIRST_DAY_OF_WEEK = 0  # Sunday, as calendars in the US
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
