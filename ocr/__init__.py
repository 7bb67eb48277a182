"""Reading the citizen's documents: photo quality gates now; PP-OCR extraction and checks next."""
