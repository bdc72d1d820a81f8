"""Turning people's input into model tensors: text with tokenizers, images with Pillow + numpy."""
