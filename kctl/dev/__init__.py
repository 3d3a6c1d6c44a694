"""The inner loop's building blocks: build contexts, content-addressed tags, images."""
