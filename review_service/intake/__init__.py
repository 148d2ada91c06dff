"""Files in: detection, parsing (one module per format), chunking, renditions of originals."""
