"""The Microsoft Teams front end: reads activities, writes Adaptive Cards; the shared core decides."""
