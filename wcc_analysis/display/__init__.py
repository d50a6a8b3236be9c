"""Display: the building blocks of a report (``report``), charts (``plots``) and each report's sections."""
