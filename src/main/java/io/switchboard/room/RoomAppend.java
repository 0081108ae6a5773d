package io.switchboard.room;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Appends messages in their order: assigns each the next seq and stores the completed frame.
 * Several at once are a connection's publishes that queued up behind one another (after a
 * pause of the network or of either side): one operation stores them all, in order. Run on the
 * partition thread of the room's owner, and replayed on its backup's (see {@link #replay}); like
 * every operation of {@link RoomOps}, deterministic.
 */
public final class RoomAppend extends RoomOps.Mutation implements com.hazelcast.core.HazelcastInstanceAware {
  String[] prefixes;
  String[] suffixes;
  /**
   * Random, 0 for none. Hazelcast runs an operation again on the partition's new owner when
   * the old one died before answering, and the old one may have stored it (and its backup, now
   * the owner, too): the id finds those messages instead of storing them a second time.
   */
  long id;
  /** {@code history.maxBytes}: the room's retained messages keep within it. */
  int maxBytes = Integer.MAX_VALUE;
  /**
   * Cluster time (see {@link com.hazelcast.cluster.Cluster#getClusterTime}) after which the
   * owner stores nothing and answers {@link RoomReply#expired}; 0 for none. The caller gives
   * up on its answer 2.5 s after it ({@link RoomStore#STORE_WINDOW_MS}) and says "not
   * stored": an operation that waited out a stalled partition must not store a message its
   * sender was told to send again.
   */
  long deadline;
  /** Set by Hazelcast on the member that runs it; null in unit tests (no deadline then). */
  private transient com.hazelcast.core.HazelcastInstance member;
  /** This run stored nothing (past its deadline, or no room may be made): no backup replay. */
  private transient boolean nothingStored;
  /**
   * A backup's replay of what its owner stored: it judges nothing again (not the deadline, not
   * its own member's heap), for a copy that refused what the owner stored would go on with
   * other seqs than the owner's, and lose the message with the owner.
   */
  boolean replay;
  /**
   * This append may have been stored before: a run again (see {@link #confirming}), or a
   * message its sender named by a key. Only then does the owner look for {@link #id} among the
   * room's ids; a first run's random id is in none of them, and the look cost a busy room's
   * partition thread some thousands of comparisons per append.
   */
  boolean again;
  /**
   * A replay's: the seq and epoch the owner stored the first message under. A backup whose
   * copy does not end just before that seq stores nothing (see {@link #replayed}).
   */
  long atSeq;
  String atEpoch = "";

  public RoomAppend() {
  }

  /** One message. */
  RoomAppend(String newEpoch, int capacity, String prefix, String suffix) {
    this(newEpoch, capacity, new String[] {prefix}, new String[] {suffix});
  }

  RoomAppend(String newEpoch, int capacity, String[] prefixes, String[] suffixes) {
    this(newEpoch, capacity, prefixes, suffixes, 0);
  }

  RoomAppend(String newEpoch, int capacity, int maxBytes, String[] prefixes, String[] suffixes, long id) {
    this(newEpoch, capacity, prefixes, suffixes, id);
    this.maxBytes = maxBytes;
  }

  RoomAppend(String newEpoch, int capacity, String[] prefixes, String[] suffixes, long id) {
    this.newEpoch = newEpoch;
    this.capacity = capacity;
    this.prefixes = prefixes;
    this.suffixes = suffixes;
    this.id = id;
    this.again = id != 0;
  }

  /**
   * This append, run again after its backup did not acknowledge it in time (see
   * {@link RoomStore}): the same id, messages and deadline. The owner finds it stored and sends
   * its backup the same messages, as every run that finds them does.
   */
  RoomAppend confirming() {
    RoomAppend copy = new RoomAppend(newEpoch, capacity, maxBytes, prefixes, suffixes, id).before(deadline);
    copy.mayCreate = mayCreate;
    copy.again = true;
    return copy;
  }

  /** The same append with {@link #deadline} by cluster time, for {@link RoomStore}. */
  RoomAppend before(long deadline) {
    this.deadline = deadline;
    return this;
  }

  @Override
  public void setHazelcastInstance(com.hazelcast.core.HazelcastInstance member) {
    this.member = member;
  }

  /** The reply's {@code seq} is the last one assigned, {@code firstSeq} the first. */
  @Override
  public RoomReply process(Map.Entry<String, RoomState> entry) {
    nothingStored = false;
    if (replay) {
      return replayed(entry);
    }
    RoomState state = stateOf(entry);
    long stored = again && entry.getValue() != null ? state.log().seqOf(id) : -1;
    RoomReply reply = new RoomReply();
    if (stored >= 0) {
      return found(state, stored - prefixes.length + 1);
    }
    if (deadline > 0 && member != null && member.getCluster().getClusterTime() > deadline) {
      nothingStored = true;
      reply.expired = true;
      return reply;
    }
    if (refused(entry)) {
      nothingStored = true;
      reply.full = true;
      return reply;
    }
    if (member != null && member.getUserContext().get(io.switchboard.ops.MemoryGuard.KEY)
        instanceof io.switchboard.ops.MemoryGuard guard && guard.isLow()) {
      nothingStored = true;
      reply.lowMemory = true;
      return reply;
    }
    store(entry, state);
    reply.epoch = state.epoch();
    reply.firstSeq = atSeq;
    reply.seq = state.log().lastSeq();
    reply.nodes = state.nodes();
    return reply;
  }

  /**
   * A retry of an append already stored (Hazelcast's, or a client's sending a keyed message
   * again), its first message at {@code first}: the same seqs again, and the frames as stored
   * (their ts), nothing stored twice. Replayed to the backup all the same: the answer is an
   * ack, so it waits for a backup that has them (one that missed them, or an earlier append,
   * acknowledges nothing; see replayed).
   */
  private RoomReply found(RoomState state, long first) {
    RoomReply reply = new RoomReply();
    reply.epoch = state.epoch();
    reply.firstSeq = first;
    reply.seq = first + prefixes.length - 1;
    reply.nodes = state.nodes();
    List<String> kept = state.log().slice(first, reply.seq);
    // a batch larger than the room keeps has let go of its first frames: none is told as
    // stored, for the caller pairs them with its messages by place (it has them as sent)
    reply.messages = kept.size() == prefixes.length ? kept : List.of();
    reply.more = reply.seq < state.log().lastSeq(); // messages came after it: not to be told again
    reply.found = true;
    atSeq = first;
    atEpoch = state.epoch();
    return reply;
  }

  /**
   * Stores the messages from the log's next seq on, the last one carrying the id: a batch is
   * found as a whole by its newest message, which no append that stores it lets go of (its
   * first one goes when the batch is larger than what the room keeps).
   */
  private void store(Map.Entry<String, RoomState> entry, RoomState state) {
    // a room that had a storm of joins and leaves and now only talks forgets them here
    state.trimApplied(io.switchboard.ops.Clocks.monotonicMillis());
    long first = state.log().lastSeq() + 1;
    int last = prefixes.length - 1;
    for (int i = 0; i <= last; i++) {
      state.log().append(prefixes[i] + (first + i) + suffixes[i], capacity, i == last ? id : 0, maxBytes, deadline);
    }
    entry.setValue(state);
    atSeq = first;
    atEpoch = state.epoch();
  }

  /**
   * The backup's run: it judges nothing again (see {@link #replay}) and stores the messages at
   * the owner's seqs, or not at all. A copy that already has them (the first run's replay came
   * before a confirming run's) acknowledges them. A copy that does not end just before them
   * missed an earlier append, whose backup was lost: storing these at its own next seq would
   * give them seqs the owner gave others, and acknowledge messages the copy does not hold
   * under their seqs, both lost with the owner. It stores nothing and throws: the owner gets no
   * acknowledgment from it (the sender no ack, see RoomStore.withBackup), and Hazelcast, whose
   * replica versions it left behind, copies the owner's entry to it.
   */
  private RoomReply replayed(Map.Entry<String, RoomState> entry) {
    RoomState copy = entry.getValue();
    if (continuedBy(copy)) { // first: the common case, and no look through the ids
      store(entry, stateOf(entry));
      return new RoomReply();
    }
    if (copy != null && copy.epoch().equals(atEpoch) && id != 0
        && copy.log().seqOf(id) == atSeq + prefixes.length - 1) {
      return new RoomReply();
    }
    CopyBehind behind = new CopyBehind(entry.getKey(), copy == null ? "no copy" : "seq " + copy.log().lastSeq()
        + " of epoch " + copy.epoch(), atSeq, atEpoch);
    CopyBehind.LOG.warn("{}", behind.getMessage());
    throw behind;
  }

  /** Whether a backup's copy (null: none) ends just before the messages the owner stored (see {@link #atSeq}). */
  private boolean continuedBy(RoomState copy) {
    return copy == null ? atSeq == 1 && newEpoch.equals(atEpoch)
        : copy.log().lastSeq() + 1 == atSeq && copy.epoch().equals(atEpoch);
  }

  /**
   * Called after {@link #process} on the owner. A refused append has nothing to replay; a
   * stored one is replayed as a {@link #replay}, which the backup runs later, on a member
   * whose heap and clock are its own.
   */
  @Override
  public RoomAppend getBackupProcessor() {
    if (nothingStored) {
      return null;
    }
    // the deadline only stamps what the copy lets go of (GoneIds): a replay judges nothing
    RoomAppend copy = new RoomAppend(newEpoch, capacity, maxBytes, prefixes, suffixes, id).before(deadline);
    copy.replay = true;
    copy.atSeq = atSeq;
    copy.atEpoch = atEpoch;
    return copy;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    super.writeData(out);
    out.writeLong(id);
    out.writeLong(deadline);
    out.writeInt(maxBytes);
    out.writeBoolean(replay);
    out.writeBoolean(again);
    out.writeLong(atSeq);
    out.writeString(atEpoch);
    out.writeInt(prefixes.length);
    for (int i = 0; i < prefixes.length; i++) {
      out.writeString(prefixes[i]);
      out.writeString(suffixes[i]);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    super.readData(in);
    id = in.readLong();
    deadline = in.readLong();
    maxBytes = in.readInt();
    replay = in.readBoolean();
    again = in.readBoolean();
    atSeq = in.readLong();
    atEpoch = in.readString();
    int n = in.readInt();
    prefixes = new String[n];
    suffixes = new String[n];
    for (int i = 0; i < n; i++) {
      prefixes[i] = in.readString();
      suffixes[i] = in.readString();
    }
  }

  /**
   * A backup's copy of a room that does not continue where its owner stored a replayed append
   * (see {@link RoomAppend#replayed}). Silent to Hazelcast's own log (its stack says nothing
   * more); the node's log has it once a second.
   */
  static final class CopyBehind extends com.hazelcast.core.HazelcastException
      implements com.hazelcast.spi.exception.SilentException {
    static final io.switchboard.ops.ThrottledLog LOG =
        new io.switchboard.ops.ThrottledLog(org.slf4j.LoggerFactory.getLogger(CopyBehind.class));

    CopyBehind(String room, String copy, long atSeq, String atEpoch) {
      super("the backup's copy of room " + room + " (" + copy + ") does not continue at seq " + atSeq + " of epoch "
          + atEpoch + ", where its owner stored an append: not stored here, nor acknowledged; the owner's copy"
          + " replaces it at Hazelcast's next replica sync");
    }
  }
}
