# The inference image: NVIDIA's Triton 24.10 (Triton 2.51, the same release as the local binary in
# the nvidia-pytriton wheel) with our model repository and what its Python models import.
#   docker build -f deploy/triton.Dockerfile -t filmstudio/triton .
# One stage: the base already is the runtime (Triton, the Python backend, CUDA 12.6), and what is added
# (pip packages, the code) is needed at run time. It runs as uid 10001, the services' user: the Python
# backend's stubs need no root, only /dev/shm (the pod mounts an emptyDir of medium Memory there) and
# /tmp for what the libraries cache.
#
# The base is pinned by tag; to pin it by digest too, append @sha256:<digest> from
# `docker buildx imagetools inspect nvcr.io/nvidia/tritonserver:24.10-py3` (no registry was reachable here).
FROM nvcr.io/nvidia/tritonserver:24.10-py3
# espeak-ng: the embedded voice (the tts model); DejaVu: the storyboard's location cards (filmstudio/fonts.py).
# Their versions are not pinned (DL3008): the base image's tag fixes the Ubuntu release, and exact
# versions would stop the build as soon as the archive replaces them with a security update.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends espeak-ng fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 filmstudio \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin filmstudio
# The container's Python is 3.10 (Ubuntu 22.04), which the development pins of requirements-ml.txt
# (diffusers 0.42, transformers 5.21 and later) no longer support: these are the newest releases that
# install on 3.10. torch 2.7.1's wheel is the CUDA 12.6 build, the CUDA of Triton 24.10. The CPU pin in
# requirements-ml.txt is for development machines.
RUN pip install --no-cache-dir \
        numpy==1.26.4 pillow==12.3.0 protobuf==6.33.6 googleapis-common-protos==1.76.0 \
        torch==2.7.1 diffusers==0.41.0 transformers==5.20.2 safetensors==0.8.0
WORKDIR /opt/filmstudio
COPY filmstudio filmstudio
COPY inference inference
# Weights live on a volume (synced from S3 by an init container), never in the image; caches under /tmp,
# since the root file system is mounted read-only.
ENV PYTHONPATH=/opt/filmstudio \
    PYTHONDONTWRITEBYTECODE=1 \
    TMPDIR=/tmp \
    HOME=/tmp \
    HF_HOME=/tmp/huggingface \
    HF_HUB_OFFLINE=1 \
    FILMSTUDIO_SDXL_MODEL_DIR=/models/sdxl \
    FILMSTUDIO_MOTION_MODEL_DIR=/models/motion
USER 10001:10001
CMD ["tritonserver", "--model-repository=/opt/filmstudio/inference/model_repository", \
     "--model-control-mode=explicit", "--load-model=storyboard", "--load-model=animatic", "--load-model=tts", \
     "--load-model=sdxl", "--load-model=motion", \
     "--grpc-port=8001", "--http-port=8000", "--metrics-port=8002"]
