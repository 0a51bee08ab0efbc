"""SQLAlchemy backend for non-Django deployments."""
from sqlalchemy import Column, Integer, String, create_engine
from sqlalchemy.orm import declarative_base, sessionmaker

Base = declarative_base()


class JobRow(Base):
    __tablename__ = "jobq_jobs"

    id = Column(String(36), primary_key=True)
    queue = Column(String(64), index=True)
    status = Column(String(16), default="queued")
    attempts = Column(Integer, default=0)
    worker_id = Column(String(64))


def make_session(url="sqlite:///jobq.db"):
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    return sessionmaker(bind=engine)()


def claim(session, job_id, worker_id):
    updated = session.query(JobRow).filter(JobRow.id == job_id, JobRow.status == "queued").update(  # label: ok
        {"status": "running", "worker_id": worker_id}, synchronize_session=False
    )
    session.commit()
    return updated == 1


def pending(session, queue):
    return session.query(JobRow).filter_by(queue=queue, status="queued").all()  # label: ok


def purge(session, queue):
    session.query(JobRow).filter_by(queue=queue, status="succeeded").delete()  # label: ok
    session.commit()
