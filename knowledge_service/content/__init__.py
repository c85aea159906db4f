"""The article and policy model: parsing, validation, versions, import."""
