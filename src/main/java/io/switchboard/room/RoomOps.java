package io.switchboard.room;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The operations on a room entry, run by Hazelcast on the partition that owns the room. Each is
 * deterministic (times and epochs come from the caller), because the backup replays the same
 * operation on its copy: that is what makes an acknowledged message survive a node's death.
 */
public final class RoomOps {

  private RoomOps() {
  }

  /** Base for the operations that change the room; the backup runs the same instance. */
  abstract static class Mutation implements EntryProcessor<String, RoomState, RoomReply>, DataSerializable {
    String newEpoch;
    int capacity;
    /** False once the cluster holds history.maxRooms: a room that does not exist is not made. */
    boolean mayCreate = true;

    /** Refuses a room that does not exist when no more may be made: see {@link RoomReply#full}. */
    boolean refused(Map.Entry<String, RoomState> entry) {
      return !mayCreate && entry.getValue() == null;
    }

    RoomState stateOf(Map.Entry<String, RoomState> entry) {
      RoomState state = entry.getValue();
      return state != null ? state : new RoomState(newEpoch, capacity);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(newEpoch);
      out.writeInt(capacity);
      out.writeBoolean(mayCreate);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      newEpoch = in.readString();
      capacity = in.readInt();
      mayCreate = in.readBoolean();
    }
  }

  /**
   * Appends messages in their order: assigns each the next seq and stores the completed frame.
   * Several at once are a connection's publishes that queued up behind one another (after a
   * pause of the network or of either side): one operation stores them all, in order.
   */
  public static final class Append extends Mutation implements com.hazelcast.core.HazelcastInstanceAware {
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

    public Append() {
    }

    /** One message. */
    Append(String newEpoch, int capacity, String prefix, String suffix) {
      this(newEpoch, capacity, new String[] {prefix}, new String[] {suffix});
    }

    Append(String newEpoch, int capacity, String[] prefixes, String[] suffixes) {
      this(newEpoch, capacity, prefixes, suffixes, 0);
    }

    Append(String newEpoch, int capacity, int maxBytes, String[] prefixes, String[] suffixes, long id) {
      this(newEpoch, capacity, prefixes, suffixes, id);
      this.maxBytes = maxBytes;
    }

    Append(String newEpoch, int capacity, String[] prefixes, String[] suffixes, long id) {
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
    Append confirming() {
      Append copy = new Append(newEpoch, capacity, maxBytes, prefixes, suffixes, id).before(deadline);
      copy.mayCreate = mayCreate;
      copy.again = true;
      return copy;
    }

    /** The same append with {@link #deadline} by cluster time, for {@link RoomStore}. */
    Append before(long deadline) {
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
    public Append getBackupProcessor() {
      if (nothingStored) {
        return null;
      }
      // the deadline only stamps what the copy lets go of (GoneIds): a replay judges nothing
      Append copy = new Append(newEpoch, capacity, maxBytes, prefixes, suffixes, id).before(deadline);
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
  }

  /**
   * Joins a connection (when {@code count}) and answers the seq, the history or recovery, and
   * the members, all from one atomic view: every message after the answered seq goes to the
   * joining node, every message up to it is in the answer.
   */
  public static final class Join extends Mutation {
    String user;
    String name;
    String node;
    boolean count;
    long sinceSeq;
    String sinceEpoch;
    int history;
    int recoverMax;
    /** The members list's byte budget ({@link RoomState#memberList(long)}); 0 for all. */
    long memberBytes;
    /** The messages' byte budget ({@link HistoryWindow}); 0 for none. */
    long messageBytes;
    /** The node's {@link io.switchboard.presence.PresenceClock} stamp of a counted join (see {@link RoomState#changedBy}). */
    long stamp;

    public Join() {
    }

    /** The same join with the node's stamp, taken when it sent it. */
    Join stamped(long stamp) {
      this.stamp = stamp;
      return this;
    }

    Join(String newEpoch, int capacity, String user, String name, String node, boolean count,
         long sinceSeq, String sinceEpoch, int history, int recoverMax) {
      this(newEpoch, capacity, user, name, node, count, sinceSeq, sinceEpoch, history, recoverMax, 0, 0);
    }

    Join(String newEpoch, int capacity, String user, String name, String node, boolean count,
         long sinceSeq, String sinceEpoch, int history, int recoverMax, long messageBytes, long memberBytes) {
      this.messageBytes = messageBytes;
      this.memberBytes = memberBytes;
      this.newEpoch = newEpoch;
      this.capacity = capacity;
      this.user = user;
      this.name = name;
      this.node = node;
      this.count = count;
      this.sinceSeq = sinceSeq;
      this.sinceEpoch = sinceEpoch;
      this.history = history;
      this.recoverMax = recoverMax;
    }

    /**
     * Set by {@link #process} on the owner: a refused join has nothing for the backup to replay,
     * nor has a re-run that found itself applied (the backup may be a copy made since, by
     * serialization, that does not remember it: replayed there, it would count twice).
     */
    private transient boolean wasRefused;
    private transient boolean wasRerun;

    @Override
    public Join getBackupProcessor() {
      return wasRefused || wasRerun ? null : this;
    }

    @Override
    public RoomReply process(Map.Entry<String, RoomState> entry) {
      wasRefused = count && refused(entry);
      if (wasRefused) {
        RoomReply full = new RoomReply();
        full.full = true;
        return full;
      }
      RoomState state = stateOf(entry);
      RoomReply reply = new RoomReply();
      AppliedChanges.Change again = count ? state.appliedChange(node, stamp) : null;
      wasRerun = again != null;
      if (again != null) {
        reply.edge = again.edge(); // run again after its owner died (see AppliedChanges): counted once
      } else if (count) {
        reply.edge = state.join(user, name, node);
        state.changedBy(node, user, stamp);
        state.applied(node, stamp, reply.edge, name);
        entry.setValue(state);
      }
      reply.epoch = state.epoch();
      HistoryWindow.join(state.log(), state.epoch(), sinceSeq, sinceEpoch, history, recoverMax, messageBytes, reply);
      reply.members = state.memberList(memberBytes);
      reply.count = state.memberCount();
      reply.nodes = state.nodes();
      return reply;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      super.writeData(out);
      out.writeString(user);
      out.writeString(name);
      out.writeString(node);
      out.writeBoolean(count);
      out.writeLong(sinceSeq);
      out.writeString(sinceEpoch);
      out.writeInt(history);
      out.writeInt(recoverMax);
      out.writeLong(memberBytes);
      out.writeLong(messageBytes);
      out.writeLong(stamp);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      super.readData(in);
      user = in.readString();
      name = in.readString();
      node = in.readString();
      count = in.readBoolean();
      sinceSeq = in.readLong();
      sinceEpoch = in.readString();
      history = in.readInt();
      recoverMax = in.readInt();
      memberBytes = in.readLong();
      messageBytes = in.readLong();
      stamp = in.readLong();
    }
  }

  /**
   * Removes one connection of a user; {@code edge} tells whether it was the user's last. The
   * node's {@code stamp} stays with the room, for reconciliation (see {@link RoomState#changedSince}).
   */
  public static final class Leave implements EntryProcessor<String, RoomState, RoomReply>, DataSerializable {
    String user;
    String node;
    long stamp;
    /** A re-run that found itself applied changes nothing: no backup (see {@link Join#getBackupProcessor}). */
    private transient boolean wasRerun;

    @Override
    public Leave getBackupProcessor() {
      return wasRerun ? null : this;
    }

    public Leave() {
    }

    Leave(String user, String node, long stamp) {
      this.user = user;
      this.node = node;
      this.stamp = stamp;
    }

    @Override
    public RoomReply process(Map.Entry<String, RoomState> entry) {
      RoomReply reply = new RoomReply();
      RoomState state = entry.getValue();
      if (state == null) {
        return reply;
      }
      AppliedChanges.Change again = state.appliedChange(node, stamp);
      wasRerun = again != null;
      if (again != null) {
        // run again after its owner died (see AppliedChanges): counted once, told as the first run was
        reply.edge = again.edge();
        reply.name = again.name();
      } else {
        reply.name = state.nameOf(user);
        state.changedBy(node, user, stamp);
        reply.edge = state.leave(user, node);
        state.applied(node, stamp, reply.edge, reply.name);
        entry.setValue(state);
      }
      reply.count = state.memberCount();
      reply.seq = state.log().lastSeq();
      reply.nodes = state.nodes();
      return reply;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(user);
      out.writeString(node);
      out.writeLong(stamp);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      user = in.readString();
      node = in.readString();
      stamp = in.readLong();
    }
  }

  /** Removes every connection of a dead node; answers null where nothing changed. */
  public static final class Purge implements EntryProcessor<String, RoomState, RoomReply>, DataSerializable {
    /** A fault that fails one room fails them all: a line a second, not a stack trace per room. */
    private static final io.switchboard.ops.ThrottledLog PURGE_FAILED =
        new io.switchboard.ops.ThrottledLog(org.slf4j.LoggerFactory.getLogger(Purge.class));
    String node;
    /** This purge's id: Hazelcast's re-run of it finds its answer (see {@link RoomState#answeredBy}). */
    long op;

    public Purge() {
    }

    Purge(String node) {
      this(node, RoomStore.newOpId());
    }

    Purge(String node, long op) {
      this.node = node;
      this.op = op;
    }

    /**
     * One room that cannot be processed (a bug, a damaged entry) is passed over, logged: thrown,
     * it failed its whole partition, and the rooms done before it there were changed but never
     * told (their leaves lost, and the backup never given them).
     */
    @Override
    public RoomReply process(Map.Entry<String, RoomState> entry) {
      try {
        return purge(entry);
      } catch (RuntimeException e) {
        PURGE_FAILED.error("room {}: could not remove the connections of node {}", entry.getKey(), node, e);
        return null;
      }
    }

    private RoomReply purge(Map.Entry<String, RoomState> entry) {
      RoomState state = entry.getValue();
      if (state == null) {
        return null;
      }
      boolean connected = state.nodes().contains(node);
      if (state.forgetNode(node) && !connected) {
        entry.setValue(state); // only the dead node's stamps were left: nothing to announce
      }
      if (!connected) {
        return state.answeredBy(op); // a re-run on the former backup: the leaves it made, to tell
      }
      RoomReply reply = new RoomReply();
      reply.members = state.purge(node);
      entry.setValue(state);
      reply.count = state.memberCount();
      reply.seq = state.log().lastSeq();
      reply.nodes = state.nodes();
      state.answered(op, reply);
      return reply;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
      out.writeLong(op);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
      op = in.readLong();
    }
  }

  /** The users with a connection of {@code node} in the room (null when none): reconciliation's candidates. */
  public static final class UsersOn implements EntryProcessor<String, RoomState, java.util.ArrayList<String>>, ReadOnly,
      DataSerializable {
    String node;

    public UsersOn() {
    }

    UsersOn(String node) {
      this.node = node;
    }

    @Override
    public java.util.ArrayList<String> process(Map.Entry<String, RoomState> entry) {
      return entry.getValue() == null ? null : entry.getValue().usersOn(node);
    }

    @Override
    public EntryProcessor<String, RoomState, java.util.ArrayList<String>> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
    }
  }

  /** How many users are in the room (null when none): for the rooms list. */
  public static final class Count implements EntryProcessor<String, RoomState, Integer>, ReadOnly, DataSerializable {

    public Count() {
    }

    @Override
    public Integer process(Map.Entry<String, RoomState> entry) {
      return entry.getValue() == null || entry.getValue().memberCount() == 0 ? null : entry.getValue().memberCount();
    }

    @Override
    public EntryProcessor<String, RoomState, Integer> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }

  /** Reads history or the members list; no backup, no change. */
  public static final class Read implements EntryProcessor<String, RoomState, RoomReply>, ReadOnly, DataSerializable {
    long before;
    long after;
    int limit;
    boolean members;
    /** The members list's byte budget ({@link RoomState#memberList(long)}); 0 for all. */
    long memberBytes;
    /** The messages' byte budget ({@link HistoryWindow}); 0 for none. */
    long messageBytes;

    public Read() {
    }

    static Read history(long before, long after, int limit) {
      return history(before, after, limit, 0);
    }

    static Read history(long before, long after, int limit, long messageBytes) {
      Read r = new Read();
      r.before = before;
      r.after = after;
      r.limit = limit;
      r.messageBytes = messageBytes;
      return r;
    }

    static Read members() {
      return members(0);
    }

    static Read members(long memberBytes) {
      Read r = new Read();
      r.members = true;
      r.memberBytes = memberBytes;
      return r;
    }

    @Override
    public RoomReply process(Map.Entry<String, RoomState> entry) {
      RoomReply reply = new RoomReply();
      RoomState state = entry.getValue();
      if (state == null) {
        return reply;
      }
      reply.epoch = state.epoch();
      if (members) {
        reply.members = state.memberList(memberBytes);
        reply.count = state.memberCount();
        reply.nodes = state.nodes();
        reply.seq = state.log().lastSeq();
      } else {
        HistoryWindow.read(state.log(), before, after, limit, messageBytes, reply);
      }
      return reply;
    }

    @Override
    public EntryProcessor<String, RoomState, RoomReply> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(before);
      out.writeLong(after);
      out.writeInt(limit);
      out.writeBoolean(members);
      out.writeLong(memberBytes);
      out.writeLong(messageBytes);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      before = in.readLong();
      after = in.readLong();
      limit = in.readInt();
      members = in.readBoolean();
      memberBytes = in.readLong();
      messageBytes = in.readLong();
    }
  }

  /**
   * Removes a room that has neither members nor a message ever stored: what joins and leaves of
   * rooms nobody wrote in leave behind. A room with messages keeps its entry (its seq and epoch
   * are what clients recover by) until {@link IdleRooms} removes it. Answers TRUE where it
   * removed the entry, FALSE where the room is unused but still holds a node's stamps (a round
   * of that node whose truth was taken before the change has yet to see it: removed with the
   * entry, the stamp would not keep that round from putting a member who left back into a room
   * it recreates); the backup runs the same test on its copy.
   */
  public static final class DropUnused implements EntryProcessor<String, RoomState, Boolean>, DataSerializable {

    public DropUnused() {
    }

    @Override
    public Boolean process(Map.Entry<String, RoomState> entry) {
      RoomState state = entry.getValue();
      if (state == null || state.memberCount() > 0 || state.log().lastSeq() > 0) {
        return null;
      }
      return removeUnlessStamped(entry);
    }

    /**
     * Removes an unused room unless a node's stamps are still in it: TRUE where removed, FALSE
     * where kept for a later try (see above). Shared with {@link IdleOps.Expire}.
     */
    static Boolean removeUnlessStamped(Map.Entry<String, RoomState> entry) {
      if (entry.getValue().hasStamps()) {
        return Boolean.FALSE;
      }
      entry.setValue(null);
      return Boolean.TRUE;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }

  /**
   * A backup's copy of a room that does not continue where its owner stored a replayed append
   * (see {@link Append#replayed}). Silent to Hazelcast's own log (its stack says nothing more);
   * the node's log has it once a second.
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
