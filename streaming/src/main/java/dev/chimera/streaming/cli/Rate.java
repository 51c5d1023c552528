package dev.chimera.streaming.cli;

import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;

/** The {@code --rate} option's value: a positive number of events per second, {@code 1000} or {@code 1000/s}. */
final class Rate implements ITypeConverter<Double> {

    @Override
    public Double convert(String value) {
        String v = value.strip();
        if (v.endsWith("/s")) {
            v = v.substring(0, v.length() - 2).strip();
        }
        double rate;
        try {
            rate = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "': expected events per second, e.g. 1000 or 1000/s");
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new CommandLine.TypeConversionException("'" + value + "': expected a positive, finite rate");
        }
        return rate;
    }

    /** A rate as a person writes it: {@code 1000}, {@code 2.5}. */
    static String format(double rate) {
        return rate == Math.rint(rate) ? String.format(Locale.ROOT, "%.0f", rate) : Double.toString(rate);
    }
}
