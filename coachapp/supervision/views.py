"""Views of this feature; every route declares its access rule (coachapp.access)."""
