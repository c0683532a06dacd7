"""The accounting of disclosures, per client."""
