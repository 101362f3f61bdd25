"""Tandem: Agile Scrum in tandem with the Change and Implementation process."""
