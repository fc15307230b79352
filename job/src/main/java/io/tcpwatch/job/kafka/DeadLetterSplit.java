package io.tcpwatch.job.kafka;

import io.tcpwatch.core.record.DeadLetter;
import io.tcpwatch.job.source.SegmentRun;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Segment runs go on; records that were not segments go to the {@link #DEAD_LETTERS} side output. */
public final class DeadLetterSplit extends ProcessFunction<Either<SegmentRun, DeadLetter>, SegmentRun> {

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    @Override
    public void processElement(Either<SegmentRun, DeadLetter> e, Context ctx, Collector<SegmentRun> out) {
        if (e.isLeft()) {
            out.collect(e.left());
        } else {
            ctx.output(DEAD_LETTERS, e.right());
        }
    }
}
