DATA_DIR = "data"
