# The inference image: NVIDIA's Triton 24.10 (Triton 2.51, the same release as the local binary in
# the nvidia-pytriton wheel) with our model repository and what its Python models import.
#   docker build -f deploy/triton.Dockerfile -t filmstudio/triton .
FROM nvcr.io/nvidia/tritonserver:24.10-py3
# espeak-ng: the embedded voice; DejaVu: the storyboard's location cards (filmstudio/fonts.py).
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
# The container's torch is a CUDA build; the CPU pin in requirements-ml.txt is for development machines.
RUN pip install --no-cache-dir "numpy<2" pillow "protobuf>=6.31,<7" googleapis-common-protos \
        torch diffusers==0.42.1 transformers==5.24.0 safetensors
WORKDIR /opt/filmstudio
COPY filmstudio filmstudio
COPY inference inference
ENV PYTHONPATH=/opt/filmstudio
# Weights live on a volume (synced from S3 by an init container), never in the image.
ENV FILMSTUDIO_SDXL_MODEL_DIR=/models/sdxl
ENV FILMSTUDIO_MOTION_MODEL_DIR=/models/motion
CMD ["tritonserver", "--model-repository=/opt/filmstudio/inference/model_repository", \
     "--model-control-mode=explicit", "--load-model=storyboard", "--load-model=animatic", "--load-model=tts", \
     "--load-model=sdxl", "--load-model=motion", \
     "--grpc-port=8001", "--http-port=8000", "--metrics-port=8002"]
