"""The inference plane: a Triton model repository (storyboard, sdxl, tts) and the launcher that serves it."""
