print("scalelab")
