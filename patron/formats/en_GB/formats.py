"""Date input for British English, the app's language.

Django's en_GB list starts with dd/mm/yyyy, and a DateInput renders its value in the
first format. A browser's <input type="date"> only accepts yyyy-mm-dd, so with Django's
list a stored date showed as an empty field and saving the form erased it. ISO comes
first here; the British forms are still understood when typed (the API, CSV files).
"""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2006-10-25', what <input type="date"> sends and shows
    "%d/%m/%Y",  # '25/10/2006'
    "%d/%m/%y",  # '25/10/06'
]
