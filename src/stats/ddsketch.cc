// Placeholder; DDSketch is implemented here.
