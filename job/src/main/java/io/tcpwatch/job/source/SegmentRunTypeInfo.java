package io.tcpwatch.job.source;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** {@link SegmentRun}'s type for Flink: its own serializer ({@link SegmentRunSerializer}), not the POJO one. */
public final class SegmentRunTypeInfo extends TypeInformation<SegmentRun> {

    public static final SegmentRunTypeInfo INSTANCE = new SegmentRunTypeInfo();

    /** Named on {@link SegmentRun} so that every place Flink meets the type takes this one. */
    public static final class Factory extends TypeInfoFactory<SegmentRun> {
        @Override
        public TypeInformation<SegmentRun> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<SegmentRun> getTypeClass() {
        return SegmentRun.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<SegmentRun> createSerializer(SerializerConfig config) {
        return SegmentRunSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "SegmentRun";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentRunTypeInfo;
    }

    @Override
    public int hashCode() {
        return SegmentRunTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof SegmentRunTypeInfo;
    }
}
