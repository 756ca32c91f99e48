// Placeholder; DDSketch tests go here.
