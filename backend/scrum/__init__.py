"""The Scrum layer: releases, sprints, backlog items, the board and their history."""
