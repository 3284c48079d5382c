# One app process per container: `docker build -t conv-viz . && docker run -p 8501:8501 conv-viz`.
# For a class across several containers or machines see deploy/docker-compose.yml (HAProxy with
# cookie affinity in front of N replicas). Nothing is downloaded at build time but the Python
# packages from PyPI; the samples are in the image.
FROM python:3.11-slim

# Pillow, NumPy and SciPy come as manylinux wheels: no compiler, no system libraries to add.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# A user without a login shell or root rights runs the app.
RUN useradd --create-home --shell /usr/sbin/nologin --uid 10001 app
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
# Every top-level .py file: the launcher (app.py), the navigation (page.py) and every page it
# serves (one_filter.py, layer.py, and any page added beside them), then the packages they import.
# tests/test_deploy.py checks that each st.Page file named in page.py, and each of the project's
# modules the pages import, is copied.
COPY --chown=app:app *.py ./
COPY --chown=app:app .streamlit .streamlit
COPY --chown=app:app server server
COPY --chown=app:app filters filters
COPY --chown=app:app views views
COPY --chown=app:app sample_images sample_images
USER app

EXPOSE 8501
# Streamlit's own health endpoint answers "ok" once the server is up.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=2).read() != b'ok')"]
# Several replicas behind a load balancer must share STREAMLIT_SERVER_COOKIE_SECRET (set it at run
# time, never in the image): each one checks the XSRF cookie that another one signed.
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true"]
