"""Freshness test helpers: the labelled knowledge bases."""

from __future__ import annotations

from pathlib import Path

KB = Path(__file__).resolve().parent.parent / "data" / "freshness_kb"
AGENCY_KB = KB.parent / "freshness_kb_agency"
WATER_KB = KB.parent / "freshness_kb_water"
INSURER_KB = KB.parent / "freshness_kb_insurer"
TRANSIT_KB = KB.parent / "freshness_kb_transit"
BANK_KB = KB.parent / "freshness_kb_bank"
AIRLINE_KB = KB.parent / "freshness_kb_airline"
RETAIL_KB = KB.parent / "freshness_kb_retail"
BENEFITS_KB = KB.parent / "freshness_kb_benefits"
HOSPITAL_KB = KB.parent / "freshness_kb_hospital"
RENTAL_KB = KB.parent / "freshness_kb_rental"
POSTAL_KB = KB.parent / "freshness_kb_postal"
SAAS_KB = KB.parent / "freshness_kb_saas"
PHARMACY_KB = KB.parent / "freshness_kb_pharmacy"
HOTEL_KB = KB.parent / "freshness_kb_hotel"
LEISURE_KB = KB.parent / "freshness_kb_leisure"
TICKETS_KB = KB.parent / "freshness_kb_tickets"
REVENUE_KB = KB.parent / "freshness_kb_revenue"
MOBILE_KB = KB.parent / "freshness_kb_mobile"
AUTOSERVICE_KB = KB.parent / "freshness_kb_autoservice"
GYM_KB = KB.parent / "freshness_kb_gym"
VET_KB = KB.parent / "freshness_kb_vet"
GROCERY_KB = KB.parent / "freshness_kb_grocery"
