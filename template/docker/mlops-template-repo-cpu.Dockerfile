ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

# CPU image: data preparation, batch inference and the prediction service.
# Build from the repository root (the build context):
#   docker build -f docker/mlops-template-repo-cpu.Dockerfile -t mlops-template-repo-cpu .
# Default command: the FastAPI service on port 8000, serving
# /app/models/model.joblib (mount it, or set MODEL_PATH). Other jobs:
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD/data:/app/data" mlops-template-repo-cpu python src/process_data.py
# (--user: the image's own user, uid 2222, may not write your folders).

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# The base image provides python3. The venv sees its site-packages too.
RUN python3 -m venv --system-site-packages /opt/venv

WORKDIR /app

# Dependencies first, so that code changes do not invalidate this layer.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# Non-root user (uid/gid 2222) that owns only the folders jobs write to.
RUN groupadd --gid 2222 app \
    && useradd --uid 2222 --gid 2222 --create-home --shell /usr/sbin/nologin app \
    && mkdir -p data models outputs \
    && chown 2222:2222 data models outputs

COPY conf/ conf/
COPY src/ src/

ENV PYTHONPATH=/app/src \
    MODEL_PATH=/app/models/model.joblib

USER 2222:2222

EXPOSE 8000
CMD ["python", "-m", "uvicorn", "mlops_template_pkg.serve:app", "--host", "0.0.0.0", "--port", "8000"]
