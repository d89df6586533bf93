"""Every setting the model knows: Kafka's own property names, their defaults per client and version."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

#: Kafka versions the model distinguishes (older behaviour before each switch).
VERSIONS = (
    "2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8",
    "3.0", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9",
    "4.0", "4.1",
)
CLIENTS = ("java", "librdkafka")
METADATA_MODES = ("kraft", "zookeeper")
NEVER = None  # an unset flush interval: Kafka's Long.MAX_VALUE, i.e. never


@lru_cache(maxsize=None)
def vt(version: str) -> tuple[int, int]:
    """Turn "3.7" into (3, 7) so versions compare as numbers."""
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


Default = Any  # a value, or a callable (client, version) -> value


@dataclass(frozen=True)
class Setting:
    """One configurable key: where it lives, what it takes and its default."""

    section: str
    name: str
    kind: str  # int | float | bool | str | choice | acks | flush
    default: Default
    doc: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    clients: tuple[str, ...] = CLIENTS
    kafka: bool = True  # False: a model parameter, not a Kafka property
    aliases: dict[str, str] = field(default_factory=dict)  # value spellings -> canonical
    #: True: a running run picks a change up at the component's next use of it; False: only a run
    #: that starts with it (the cluster's shape, the clients, what a process reads once at start)
    live: bool = True
    #: a value the client derives from its other settings when this one is not given:
    #: (resolved section) -> the derived value, or None to keep the default
    implied: Callable[[dict[str, Any]], Any] | None = None

    def default_for(self, client: str, version: str) -> Any:
        """The default this setting takes for a client and Kafka version."""
        if callable(self.default):
            return self.default(client, version)
        return self.default


def _since(version: str, new: Any, old: Any) -> Callable[[str, str], Any]:
    """A Java default that changed in `version`."""
    return lambda client, v: new if vt(v) >= vt(version) else old


def _java_since(version: str, new: Any, old: Any, rdkafka: Any) -> Callable[[str, str], Any]:
    """A client default: librdkafka's fixed value, Java's changed in `version`."""
    java = _since(version, new, old)
    return lambda client, v: rdkafka if client == "librdkafka" else java(client, v)


def _per_client(java: Any, rdkafka: Any) -> Callable[[str, str], Any]:
    """A default that differs between the Java client and librdkafka."""
    return lambda client, v: rdkafka if client == "librdkafka" else java


def _idempotence_yields(p: dict[str, Any]) -> bool | None:
    """Off when acks, retries or max.in.flight.requests.per.connection conflict (KAFKA-13598)."""
    conflicts = p["acks"] != "all" or p["retries"] == 0 or p["max.in.flight.requests.per.connection"] > 5
    return False if conflicts else None


def _delivery_floor(p: dict[str, Any]) -> float | None:
    """Java raises it to linger.ms + request.timeout.ms when it is below that."""
    floor = p["linger.ms"] + p["request.timeout.ms"]
    return floor if p["client"] == "java" and p["delivery.timeout.ms"] < floor else None


def _manual_commits(c: dict[str, Any]) -> bool | None:
    """Off when commit.mode is manual (the application commits)."""
    return False if c["commit.mode"] != "auto" else None


def _strategy_default(client: str, version: str) -> str:
    """Java range before 3.0, "range,cooperative-sticky" from 3.0; librdkafka "range,roundrobin"."""
    from .assignors import default_strategy
    return ",".join(default_strategy(client, version))


def strategies(value: str) -> tuple[str, ...]:
    """A partition.assignment.strategy value as a list of assignor names."""
    return tuple(s.strip() for s in str(value).split(",") if s.strip())


def _rdkafka_in_flight(p: dict[str, Any]) -> int | None:
    """librdkafka lowers it to 5 when idempotence is on (CONFIGURATION.md)."""
    return 5 if p["client"] == "librdkafka" and p["enable.idempotence"] else None


def _java_idempotence_default(client: str, version: str) -> bool:
    """Java: true from 3.0, but 3.0.0 and 3.1.0 left it off unless set (KAFKA-13598); librdkafka: false."""
    return client == "java" and vt(version) >= (3, 2)


JAVA = ("java",)
RDK = ("librdkafka",)

_S = [
    # cluster
    Setting("cluster", "brokers", "int", 3, "number of brokers", minimum=1, maximum=9, kafka=False, live=False),
    Setting("cluster", "kafka.version", "choice", "4.0",
            "Kafka version of brokers and Java clients; switches version-dependent defaults and rules",
            choices=VERSIONS, kafka=False, live=False),
    Setting("cluster", "metadata.mode", "choice", _since("3.3", "kraft", "zookeeper"),
            "who keeps the metadata: a KRaft controller quorum (production-ready from 3.3, the only "
            "mode from 4.0) or ZooKeeper (up to 3.9)",
            choices=METADATA_MODES, kafka=False, live=False),
    # topic
    Setting("topic", "name", "str", "t",
            "the topic's name (its partitions are name-0, name-1, ...); [[topics]] entries add a second topic",
            kafka=False, live=False),
    Setting("topic", "partitions", "int", 1,
            "partitions of the topic, each with its own leader, replicas, ISR and logs (t-0, t-1, ...)",
            minimum=1, maximum=12, live=False),
    Setting("topic", "replication.factor", "int", 1,
            "replicas per partition (Kafka's default.replication.factor is 1)", minimum=1, maximum=9, live=False),
    Setting("topic", "min.insync.replicas", "int", 1,
            "ISR size an acks=all write needs", minimum=1, maximum=9),
    Setting("topic", "unclean.leader.election.enable", "bool", False,
            "let a replica outside the ISR become leader"),
    # broker
    Setting("broker", "log.flush.interval.messages", "flush", NEVER,
            "fsync after this many messages (unset: never; the OS writes back)", minimum=1),
    Setting("broker", "log.flush.interval.ms", "flush", NEVER,
            "alone: no effect; the log flusher, run every log.flush.scheduler.interval.ms (default "
            "never), fsyncs a log last flushed at least this long ago", minimum=1),
    Setting("broker", "log.flush.scheduler.interval.ms", "flush", NEVER,
            "how often the log flusher runs, which applies log.flush.interval.ms (unset: "
            "Long.MAX_VALUE, so once, 30 s after startup); read when the broker starts",
            minimum=1, live=False),
    Setting("broker", "replica.lag.time.max.ms", "int", _since("2.5", 30000, 10000),
            "a follower not caught up for this long leaves the ISR", minimum=1),
    Setting("broker", "replica.fetch.wait.max.ms", "int", 500,
            "how long a follower's fetch waits at the leader for new data", minimum=0),
    Setting("broker", "replica.fetch.max.bytes", "int", 1048576,
            "bytes a follower fetches per request", minimum=1),
    Setting("broker", "broker.session.timeout.ms", "int", 9000,
            "KRaft mode: the controller fences a broker silent this long", minimum=1),
    Setting("broker", "broker.heartbeat.interval.ms", "int", 2000,
            "KRaft: how often a broker heartbeats the controller", minimum=1),
    Setting("broker", "zookeeper.session.timeout.ms", "int", _since("2.5", 18000, 6000),
            "ZooKeeper mode: a broker's session expires after this long", minimum=1),
    Setting("broker", "group.initial.rebalance.delay.ms", "int", 3000,
            "a new consumer group waits this long for more members before its first assignment",
            minimum=0),
    Setting("broker", "vm.dirty_expire_centisecs", "int", 3000,
            "Linux: dirty page cache older than this is written back (centiseconds)",
            minimum=1, kafka=False),
    Setting("broker", "vm.dirty_writeback_centisecs", "int", 500,
            "Linux: how often the writeback thread wakes (centiseconds)", minimum=1, kafka=False),
    Setting("broker", "disk.fsync.ms", "float", 2.0,
            "model: how long one fsync takes", minimum=0, kafka=False),
    Setting("broker", "startup.ms", "int", 2000,
            "model: restart to serving (log recovery, registration)", minimum=0, kafka=False),
    # producer
    Setting("producer", "client", "choice", "java", "which client library", choices=CLIENTS, kafka=False, live=False),
    Setting("producer", "acks", "acks", _java_since("3.0", "all", "1", "all"),
            "0, 1 or all (= -1)", choices=("0", "1", "all")),
    Setting("producer", "linger.ms", "float", _java_since("4.0", 5, 0, 5),
            "how long a batch waits for more records", minimum=0),
    Setting("producer", "batch.size", "int", _per_client(16384, 1000000),
            "bytes a batch may hold", minimum=1),
    Setting("producer", "buffer.memory", "int", 33554432,
            "bytes of records the producer may hold", minimum=1, clients=JAVA),
    Setting("producer", "max.block.ms", "int", 60000,
            "how long send() blocks when the buffer is full, then throws", minimum=0, clients=JAVA),
    Setting("producer", "queue.buffering.max.messages", "int", 100000,
            "records the producer queue may hold; produce() fails with QUEUE_FULL beyond",
            minimum=1, clients=RDK),
    Setting("producer", "queue.buffering.max.kbytes", "int", 1048576,
            "kilobytes the producer queue may hold", minimum=1, clients=RDK),
    Setting("producer", "retries", "int", _java_since("2.1", 2147483647, 0, 2147483647),
            "retries of a failed batch (Java 2.0: 0; KIP-91 made it MAX_INT in 2.1)", minimum=0),
    Setting("producer", "retry.backoff.ms", "int", 100, "pause before a retry", minimum=0),
    Setting("producer", "retry.backoff.max.ms", "int", 1000,
            "cap of the exponential retry backoff (Java from 3.7, KIP-580; librdkafka)", minimum=1),
    Setting("producer", "request.timeout.ms", "int", 30000,
            "bound on one attempt (librdkafka: the broker's ack timeout only)", minimum=1),
    Setting("producer", "socket.timeout.ms", "int", 60000,
            "librdkafka: bound on one request (with what is left of message.timeout.ms)", minimum=10,
            clients=RDK),
    Setting("producer", "delivery.timeout.ms", "int", _per_client(120000, 300000),
            "bound on a record's whole life in the producer (Java 2.1+, KIP-91)", minimum=1,
            implied=_delivery_floor),
    Setting("producer", "enable.idempotence", "bool", _java_idempotence_default,
            "broker drops duplicate retries by producer id and sequence", implied=_idempotence_yields),
    Setting("producer", "max.in.flight.requests.per.connection", "int", _per_client(5, 1000000),
            "unanswered requests per broker", minimum=1, implied=_rdkafka_in_flight),
    Setting("producer", "metadata.max.age.ms", "int", _per_client(300000, 900000),
            "Java: refresh metadata at least this often; librdkafka: how long its cache is valid",
            minimum=1, live=False),
    Setting("producer", "topic.metadata.refresh.interval.ms", "int", 300000,
            "librdkafka: refresh metadata this often", minimum=1, clients=RDK, live=False),
    Setting("producer", "max.request.size", "int", 1048576,
            "largest request, so largest record, send() accepts (RecordTooLargeException beyond)",
            minimum=1, clients=JAVA),
    Setting("producer", "message.max.bytes", "int", 1000000,
            "largest message produce() accepts (MSG_SIZE_TOO_LARGE beyond)", minimum=1000, clients=RDK),
    Setting("producer", "send.mode", "choice", "async",
            "async, sync (wait on each future), window, spool or unbounded",
            choices=("async", "sync", "window", "spool", "unbounded"), kafka=False),
    Setting("producer", "max.outstanding", "int", 10,
            "window mode: records sent and not yet answered before send() waits", minimum=1, kafka=False),
    Setting("producer", "spool.fsync.mode", "choice", "never",
            "spool mode: fsync the spool after every record, every spool.fsync.interval.ms, or never "
            "(the OS writes it back after vm.dirty_expire_centisecs)",
            choices=("every", "interval", "never"), kafka=False),
    Setting("producer", "spool.fsync.interval.ms", "int", 1000,
            "spool mode: how often the spool is fsynced when spool.fsync.mode = \"interval\"", minimum=1,
            kafka=False),
    Setting("producer", "spool.fsync.ms", "float", 2.0,
            "model: how long one fsync of the spool takes (the application waits on it)", minimum=0,
            kafka=False),
    Setting("producer", "app.memory.bytes", "int", 67108864,
            "unbounded mode: the application dies out of memory when its own queue holds more",
            minimum=1, kafka=False),
    Setting("producer", "callbacks", "choice", "handle",
            "handle: the application looks at every delivery result; ignore: it never does, so a "
            "failed record is lost with nobody told", choices=("handle", "ignore"), kafka=False,
            live=False),
    # consumer
    Setting("consumer", "client", "choice", "java", "which client library", choices=CLIENTS, kafka=False, live=False),
    Setting("consumer", "group.id", "str", "tutor", "consumer group", live=False),
    Setting("consumer", "enable.auto.commit", "bool", True, "commit offsets automatically",
            implied=_manual_commits),
    Setting("consumer", "auto.commit.interval.ms", "int", 5000, "how often auto-commit commits", minimum=1),
    Setting("consumer", "enable.auto.offset.store", "bool", True,
            "store a message's offset when it is handed to the application", clients=RDK),
    Setting("consumer", "auto.offset.reset", "choice", "latest",
            "where to start with no valid committed offset", choices=("earliest", "latest", "none"),
            aliases={"smallest": "earliest", "beginning": "earliest", "largest": "latest",
                     "end": "latest", "error": "none"}),
    Setting("consumer", "max.poll.records", "int", _per_client(500, 1),
            "records one poll returns (librdkafka: consume(num_messages))", minimum=1),
    Setting("consumer", "session.timeout.ms", "int", _java_since("3.0", 45000, 10000, 45000),
            "a silent member leaves the group after this long", minimum=1),
    Setting("consumer", "fetch.max.wait.ms", "int", 500, "long-poll wait for data", minimum=0, clients=JAVA),
    Setting("consumer", "fetch.wait.max.ms", "int", 500, "long-poll wait for data", minimum=0, clients=RDK),
    Setting("consumer", "commit.mode", "choice", "auto",
            "auto, after-processing (at-least-once) or before-processing (at-most-once)",
            choices=("auto", "after-processing", "before-processing"), kafka=False),
    Setting("consumer", "commit.scope", "choice", "all",
            "the application's commits: all (one commit of every partition after the poll's records) or "
            "per-partition (a commitSync of a singleton map after each partition's records)",
            choices=("all", "per-partition"), kafka=False),
    Setting("consumer", "commit.offset", "choice", "next",
            "what the application commits: next (lastOffset + 1, the next record to read: right) or "
            "last (lastOffset: off by one, that record is processed again after a restart)",
            choices=("next", "last"), kafka=False),
    Setting("consumer", "processing.mode", "choice", "poll-loop",
            "process in the poll loop, or hand records to a worker thread and poll again",
            choices=("poll-loop", "worker-thread"), kafka=False),
    Setting("consumer", "processing.ms", "float", 1.0, "time to process one record", minimum=0, kafka=False),
    Setting("consumer", "start.ms", "float", 0.0, "when the consumer starts", minimum=0, kafka=False, live=False),
    Setting("consumer", "instances", "int", 1,
            "members of the group (consumer-1 .. consumer-M), each its own application process; 1: the "
            "consumer alone in its group", minimum=1, maximum=8, kafka=False, live=False),
    Setting("consumer", "partition.assignment.strategy", "str", _strategy_default,
            "assignors, in order of preference (range, roundrobin, sticky, cooperative-sticky); an eager "
            "one in the list makes a Java member rebalance eagerly", live=False),
    Setting("consumer", "max.poll.interval.ms", "int", 300000,
            "a member that does not call poll() for this long leaves the group", minimum=1, live=False),
    Setting("consumer", "heartbeat.interval.ms", "int", 3000, "how often a member heartbeats to the coordinator",
            minimum=1, live=False),
    Setting("consumer", "group.protocol", "choice", "classic",
            "classic (JoinGroup/SyncGroup rebalances) or consumer (KIP-848, Kafka 4.0+: heartbeats only, "
            "the broker assigns)",
            choices=("classic", "consumer"), live=False),
    # workload
    Setting("workload", "messages", "int", 100, "records the application sends", minimum=0,
            maximum=10_000_000, kafka=False, live=False),
    Setting("workload", "interval.ms", "float", 10.0, "one send() every N ms", minimum=0, kafka=False),
    Setting("workload", "size.bytes", "int", 100, "bytes per record", minimum=1, kafka=False),
    Setting("workload", "keys", "int", 0,
            "distinct record keys: record i has key i % keys (the string, UTF-8); 0: no keys",
            minimum=0, maximum=1_000_000, kafka=False, live=False),
    # network
    Setting("network", "latency.ms", "float", 1.0, "one-way latency of every link", minimum=0, kafka=False),
    Setting("network", "jitter.ms", "float", 0.0, "random extra latency, 0..N ms (seeded)", minimum=0,
            kafka=False),
]

#: (section, name) -> Setting
SETTINGS: dict[tuple[str, str], Setting] = {(s.section, s.name): s for s in _S}
#: the settings a running run refuses to change, derived from each Setting's `live`
START_ONLY: frozenset[tuple[str, str]] = frozenset(k for k, s in SETTINGS.items() if not s.live)


def is_start_only(name: str) -> bool:
    """Does "section.key" only take effect when a run starts? (Unknown names are not.)"""
    section, _, key = name.partition(".")
    return (section, key) in START_ONLY
SECTIONS = ("cluster", "topic", "broker", "producer", "consumer", "workload", "network")

#: a key of one client that the other client spells differently
EQUIVALENTS = {
    ("producer", "buffer.memory"): "queue.buffering.max.kbytes",
    ("producer", "max.block.ms"): None,
    ("producer", "queue.buffering.max.kbytes"): "buffer.memory",
    ("producer", "queue.buffering.max.messages"): "buffer.memory",
    ("producer", "max.request.size"): "message.max.bytes",
    ("producer", "message.max.bytes"): "max.request.size",
    ("consumer", "fetch.max.wait.ms"): "fetch.wait.max.ms",
    ("consumer", "fetch.wait.max.ms"): "fetch.max.wait.ms",
    ("consumer", "enable.auto.offset.store"): None,
}


def section_keys(section: str, client: str | None = None) -> list[str]:
    """The key names a section accepts (for one client, if given)."""
    return [s.name for s in _S if s.section == section and (client is None or client in s.clients)]


def resolve(section: str, given: dict[str, Any], client: str, version: str) -> dict[str, Any]:
    """A section's full settings: the given values over the defaults for this client and version."""
    out = {}
    for s in _S:
        if s.section == section and client in s.clients:
            out[s.name] = given[s.name] if s.name in given else s.default_for(client, version)
    for key, value in given.items():
        out.setdefault(key, value)
    return out


def normalize_acks(value: Any) -> str:
    """Map every spelling Kafka accepts for acks onto "0", "1" or "all"."""
    text = str(value).strip().lower()
    if text in ("all", "-1"):
        return "all"
    if text in ("0", "1"):
        return text
    raise ValueError(f"acks takes all, -1, 1 or 0, not {value!r}")


@dataclass
class Config:
    """The resolved settings of one run, section by section, keyed by Kafka property names."""

    cluster: dict[str, Any]
    topic: dict[str, Any]
    broker: dict[str, Any]
    producer: dict[str, Any]
    consumer: dict[str, Any] | None  # None: no consumer; an audit reader reads the final log
    workload: dict[str, Any]
    network: dict[str, Any]
    #: [[topics]]: further topics, each {"name", "partitions", "replication.factor", "min.insync.replicas"}
    extra_topics: list[dict[str, Any]] = field(default_factory=list)

    @property
    def version(self) -> str:
        """The Kafka version in force."""
        return self.cluster["kafka.version"]

    @property
    def kraft(self) -> bool:
        """KRaft metadata mode (the default from 3.3, the only mode from 4.0); else ZooKeeper."""
        return self.cluster["metadata.mode"] == "kraft"

    @property
    def unclean_election_honoured(self) -> bool:
        """R12: the KRaft controller ignored unclean.leader.election.enable before 3.9 (KAFKA-12670)."""
        return not self.kraft or vt(self.version) >= (3, 9)

    @property
    def hw_gated_by_min_isr(self) -> bool:
        """R3: since 3.7 the high watermark stops while the ISR is below min.insync.replicas."""
        return vt(self.version) >= (3, 7)

    @property
    def consumer_validates_offsets(self) -> bool:
        """KIP-320: the Java consumer detects log truncation from 2.3 on; librdkafka's 2.x does too."""
        if self.consumer is None:
            return False
        return self.consumer["client"] == "librdkafka" or vt(self.version) >= (2, 3)

    def session_timeout_ms(self) -> int:
        """How long the controller waits before fencing a silent broker."""
        if self.kraft:
            return self.broker["broker.session.timeout.ms"]
        return self.broker["zookeeper.session.timeout.ms"]

    def section(self, name: str) -> dict[str, Any] | None:
        """One section by name."""
        return getattr(self, name)


def build_config(given: dict[str, dict[str, Any]]) -> Config:
    """Resolve every section from the given values; the version and clients pick the defaults."""
    gc = given.get("cluster", {})
    cluster = resolve("cluster", gc, "java", str(gc.get("kafka.version", "4.0")))
    version = cluster["kafka.version"]
    parts: dict[str, Any] = {"cluster": cluster}
    for section in ("topic", "broker", "workload", "network"):
        parts[section] = resolve(section, given.get(section, {}), "java", version)
    pclient = given.get("producer", {}).get("client", "java")
    parts["producer"] = resolve("producer", given.get("producer", {}), pclient, version)
    parts["producer"]["acks"] = normalize_acks(parts["producer"]["acks"])
    if "consumer" in given:
        cclient = given["consumer"].get("client", "java")
        consumer = resolve("consumer", given["consumer"], cclient, version)
        consumer["auto.offset.reset"] = SETTINGS[("consumer", "auto.offset.reset")].aliases.get(
            consumer["auto.offset.reset"], consumer["auto.offset.reset"])
        parts["consumer"] = consumer
    else:
        parts["consumer"] = None
    config = Config(**parts)
    apply_implied(config, given)
    return config


def default_config(**sections: dict[str, Any]) -> Config:
    """A Config from keyword sections, e.g. default_config(producer={"acks": "1"})."""
    return build_config(sections)


def apply_implied(config: Config, given: dict[str, dict[str, Any]]) -> None:
    """Settings the client derives itself (each Setting's `implied`), where they were not given."""
    for s in _S:
        section = getattr(config, s.section)
        if s.implied is None or section is None or s.name in given.get(s.section, {}) or s.name not in section:
            continue
        value = s.implied(section)
        if value is not None:
            section[s.name] = value


def check_config(config: Config, given: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Cross-key impossibilities as (section, key, message); empty when the settings can run."""
    errors = []
    t, p = config.topic, config.producer
    errors += _metadata_mode_errors(config)
    if t["replication.factor"] > config.cluster["brokers"]:
        errors.append(("topic", "replication.factor",
                       f"is {t['replication.factor']} but the cluster has only "
                       f"{config.cluster['brokers']} brokers"))
    if t["min.insync.replicas"] > t["replication.factor"]:
        errors.append(("topic", "min.insync.replicas",
                       f"is {t['min.insync.replicas']}, more than replication.factor "
                       f"{t['replication.factor']}: every acks=all write would fail"))
    if given.get("producer", {}).get("enable.idempotence") is True:
        if p["acks"] != "all":
            errors.append(("producer", "enable.idempotence", "needs acks = \"all\" (P5)"))
        elif p["max.in.flight.requests.per.connection"] > 5 and (
                p["client"] == "java" or "max.in.flight.requests.per.connection" in given.get("producer", {})):
            errors.append(("producer", "enable.idempotence",
                           "needs max.in.flight.requests.per.connection <= 5"))
        elif p["retries"] == 0:
            errors.append(("producer", "enable.idempotence", "needs retries > 0"))
    gp = given.get("producer", {})
    if p["client"] == "java" and "delivery.timeout.ms" in gp and \
            p["delivery.timeout.ms"] < p["linger.ms"] + p["request.timeout.ms"]:
        errors.append(("producer", "delivery.timeout.ms",
                       f"must be at least linger.ms + request.timeout.ms "
                       f"({p['linger.ms']:g} + {p['request.timeout.ms']}) in the Java client"))
    c = config.consumer
    if c is not None and c["commit.mode"] == "auto" and not c["enable.auto.commit"]:
        errors.append(("consumer", "commit.mode",
                       "is \"auto\" but enable.auto.commit = false: nothing would ever commit"))
    errors += _group_errors(config, given.get("consumer") or {})
    return errors


def _group_errors(config: Config, given: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Assignor names, librdkafka's refusal to mix eager and cooperative ones, heartbeats within the
    session (for a group, or when heartbeat.interval.ms is given), KIP-848's availability."""
    from .assignors import PROTOCOL_OF
    c = config.consumer
    if c is None:
        return []
    names = strategies(c["partition.assignment.strategy"])
    bad = [n for n in names if n not in PROTOCOL_OF]
    if bad or not names:
        given = bad[0] if bad else c["partition.assignment.strategy"]
        return [("consumer", "partition.assignment.strategy",
                 f"takes assignors from {', '.join(PROTOCOL_OF)} (comma-separated), not {given!r}")]
    if c["client"] == "librdkafka" and len({PROTOCOL_OF[n] for n in names}) > 1:
        return [("consumer", "partition.assignment.strategy",
                 "mixes eager and cooperative assignors, which librdkafka refuses (rdkafka_assignor.c)")]
    heartbeats = c["instances"] > 1 or "heartbeat.interval.ms" in given
    if heartbeats and c["heartbeat.interval.ms"] >= c["session.timeout.ms"]:
        return [("consumer", "heartbeat.interval.ms",
                 f"is {c['heartbeat.interval.ms']} but must be lower than session.timeout.ms "
                 f"({c['session.timeout.ms']}), as the client requires (Heartbeat)")]
    if c["group.protocol"] == "consumer" and vt(config.version) < (4, 0):
        return [("consumer", "group.protocol",
                 f"\"consumer\" (KIP-848) needs Kafka 4.0 or later, not {config.version}; use \"classic\"")]
    if c["group.protocol"] == "consumer" and "partition.assignment.strategy" in given:
        return [("consumer", "partition.assignment.strategy",
                 "is not a client setting with group.protocol = \"consumer\": the broker assigns (uniform)")]
    return []


def _metadata_mode_errors(config: Config) -> list[tuple[str, str, str]]:
    """KRaft is offered from 3.3 (production-ready, KIP-833); ZooKeeper mode was removed in 4.0."""
    version = vt(config.version)
    if config.kraft and version < (3, 3):
        return [("cluster", "metadata.mode",
                 f"is \"kraft\" but Kafka {config.version} runs on ZooKeeper: KRaft is production-ready "
                 f"from 3.3")]
    if not config.kraft and version >= (4, 0):
        return [("cluster", "metadata.mode",
                 f"is \"zookeeper\" but Kafka {config.version} has no ZooKeeper mode (removed in 4.0)")]
    return []
