ARG BASE_IMAGE=nvidia/cuda:12.8.0-runtime-ubuntu24.04
FROM ${BASE_IMAGE}

# GPU image: model training on a CUDA runtime base. The sample model
# (scikit-learn) runs on the CPU; add a GPU framework to requirements.txt
# to use the GPU. Build from the repository root (the build context):
#   docker build -f docker/mlops-template-repo-gpu.Dockerfile -t mlops-template-repo-gpu .
# Default command: training, reading /app/data and writing /app/models:
#   docker run --rm --gpus all --user "$(id -u):$(id -g)" -v "$PWD/data:/app/data" -v "$PWD/models:/app/models" mlops-template-repo-gpu
# (--user: the image's own user, uid 2222, may not write your folders).

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# CUDA images come without Python: install python3 and venv with apt only
# when the base image has no python3.
RUN if ! command -v python3 >/dev/null 2>&1; then \
        apt-get update \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            python3 python3-venv \
        && rm -rf /var/lib/apt/lists/*; \
    fi \
    && python3 -m venv --system-site-packages /opt/venv

WORKDIR /app

# Dependencies first, so that code changes do not invalidate this layer.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# Non-root user (uid/gid 2222; Ubuntu images already use 1000) that owns
# only the folders jobs write to.
RUN groupadd --gid 2222 app \
    && useradd --uid 2222 --gid 2222 --create-home --shell /usr/sbin/nologin app \
    && mkdir -p data models outputs \
    && chown 2222:2222 data models outputs

COPY conf/ conf/
COPY src/ src/

ENV PYTHONPATH=/app/src \
    MODEL_PATH=/app/models/model.joblib

USER 2222:2222

CMD ["python", "src/train_model.py"]
