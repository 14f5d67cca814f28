"""The FHIR R4 API for the national portal: an OAuth 2 resource server under /fhir/R4."""
